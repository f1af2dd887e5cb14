namespace CitizenHub.Bench;

/// <summary>The generator's own word lists: what Bogus's en_GB locale lacks (British towns and postcodes, nicknames, common names).</summary>
internal static class Vocabulary
{
    /// <summary>Formal given name → nicknames a council record may hold instead.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Nicknames = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["Margaret"] = ["Peggy", "Maggie", "Meg"],
        ["Elizabeth"] = ["Liz", "Beth", "Betty", "Lizzie"],
        ["Catherine"] = ["Cathy", "Kate"],
        ["Katherine"] = ["Kathy", "Katie", "Kate"],
        ["Susan"] = ["Sue", "Suzy"],
        ["Patricia"] = ["Pat", "Trish"],
        ["Jennifer"] = ["Jenny", "Jen"],
        ["Rebecca"] = ["Becky", "Becca"],
        ["Victoria"] = ["Vicky", "Tori"],
        ["Deborah"] = ["Debbie", "Deb"],
        ["Christine"] = ["Chris", "Chrissie"],
        ["Jacqueline"] = ["Jackie"],
        ["Alexandra"] = ["Alex", "Sandra"],
        ["Dorothy"] = ["Dot", "Dolly"],
        ["Eleanor"] = ["Ellie", "Nell"],
        ["Samantha"] = ["Sam", "Sammy"],
        ["Josephine"] = ["Jo", "Josie"],
        ["Abigail"] = ["Abby", "Gail"],
        ["Amanda"] = ["Mandy"],
        ["Helen"] = ["Nell"],
        ["William"] = ["Bill", "Will", "Billy"],
        ["Robert"] = ["Bob", "Rob", "Bobby"],
        ["Richard"] = ["Dick", "Rich", "Ricky"],
        ["James"] = ["Jim", "Jimmy", "Jamie"],
        ["John"] = ["Jack", "Johnny"],
        ["Thomas"] = ["Tom", "Tommy"],
        ["Michael"] = ["Mike", "Mick"],
        ["Christopher"] = ["Chris", "Kit"],
        ["Anthony"] = ["Tony"],
        ["Daniel"] = ["Dan", "Danny"],
        ["Matthew"] = ["Matt"],
        ["Edward"] = ["Ted", "Eddie", "Ed"],
        ["Alexander"] = ["Alex", "Sandy"],
        ["Samuel"] = ["Sam"],
        ["Benjamin"] = ["Ben"],
        ["Joseph"] = ["Joe", "Joey"],
        ["Jonathan"] = ["Jon", "Jonny"],
        ["Nicholas"] = ["Nick", "Nicky"],
        ["Stephen"] = ["Steve"],
        ["Peter"] = ["Pete"],
        ["David"] = ["Dave", "Davy"],
        ["Andrew"] = ["Andy", "Drew"],
        ["Henry"] = ["Harry", "Hal"],
        ["Frederick"] = ["Fred", "Freddie"],
        ["Kenneth"] = ["Ken", "Kenny"],
        ["Raymond"] = ["Ray"],
        ["Terence"] = ["Terry"],
        ["Lawrence"] = ["Larry", "Laurie"],
        ["Philip"] = ["Phil"],
        ["Gregory"] = ["Greg"],
    };

    /// <summary>Common British given names, every one with a nickname above.</summary>
    public static readonly string[] CommonFemale =
    [
        "Margaret", "Elizabeth", "Catherine", "Katherine", "Susan", "Patricia", "Jennifer", "Rebecca", "Victoria", "Deborah",
        "Christine", "Jacqueline", "Alexandra", "Dorothy", "Eleanor", "Samantha", "Josephine", "Abigail", "Amanda", "Helen",
    ];

    public static readonly string[] CommonMale =
    [
        "William", "Robert", "Richard", "James", "John", "Thomas", "Michael", "Christopher", "Anthony", "Daniel",
        "Matthew", "Edward", "Alexander", "Samuel", "Benjamin", "Joseph", "Jonathan", "Nicholas", "Stephen", "Peter",
        "David", "Andrew", "Henry", "Frederick", "Kenneth", "Raymond", "Terence", "Lawrence", "Philip", "Gregory",
    ];

    /// <summary>The commonest family names in England and Wales.</summary>
    public static readonly string[] CommonFamily =
    [
        "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
        "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
    ];

    /// <summary>Staffordshire towns and their real outward codes; the inward codes are made up in a valid shape.</summary>
    public static readonly (string Town, string[] Outward)[] Towns =
    [
        ("Stafford", ["ST16", "ST17", "ST18"]),
        ("Stone", ["ST15"]),
        ("Cannock", ["WS11", "WS12"]),
        ("Lichfield", ["WS13", "WS14"]),
        ("Burton upon Trent", ["DE13", "DE14", "DE15"]),
        ("Tamworth", ["B77", "B78", "B79"]),
        ("Leek", ["ST13"]),
        ("Uttoxeter", ["ST14"]),
        ("Rugeley", ["WS15"]),
        ("Newcastle-under-Lyme", ["ST5"]),
    ];

    /// <summary>Letters allowed in a postcode's inward code (never C, I, K, M, O or V).</summary>
    public const string InwardLetters = "ABDEFGHJLNPQRSTUWXYZ";

    public static readonly string[] StreetKinds =
    [
        "Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Crescent", "Grove", "Gardens", "Place", "Walk", "Terrace", "Rise", "Mews",
    ];

    public static readonly string[] ClassicStreets =
    [
        "High Street", "Church Lane", "Station Road", "Mill Lane", "Park Road", "Victoria Road", "Queens Road", "New Road",
        "School Lane", "The Green", "Gaol Road", "Eastgate Street", "Newport Road", "Lichfield Road", "Stone Road",
    ];

    public static readonly string[] BuildingWords =
    [
        "Castle", "Victoria", "Albert", "Priory", "Mill", "Abbey", "Chapel", "Kingsley", "Orchard", "Riverside", "Windsor", "Beacon",
    ];

    public static readonly string[] BuildingKinds = ["House", "Court", "Lodge", "Mansions", "Point"];
}
