//! Infrastructure files whose secrets need context on both sides, which a `(lead, value)`
//! plant cannot give:
//!
//! * `secrets/k8s-secrets.yaml`: Kubernetes Secret manifests in both orders (`kind: Secret`
//!   before its `data:` block, as written by hand and by Helm; and `apiVersion`, `data`,
//!   `kind` as `kubectl get -o yaml` prints them), one to four data entries each, among
//!   ConfigMaps whose base64-looking values are not secret. The label of a manifest runs from
//!   its first data value to its last: that is the span the rules redact;
//! * `secrets/device-api.log`: ThingsBoard device API requests (the access token is a path
//!   segment before `/telemetry`, `/attributes`, `/rpc`), among other `/api/v1/` requests;
//! * `secrets/config-snippets.txt`: the configuration shapes whose values the generic and
//!   context rules find, each in its own syntax: Gradle properties (`signing.password=`),
//!   `REACT_APP_*` variables, a NuGet `ClearTextPassword`, Postgres URLs and keyword
//!   strings, ODBC `Pwd=`, `PGPASSWORD=`, ADO.NET `Password =`, a Gradle credentials
//!   block's `password '…'`, PsExec `-p`, an XML element whose value is on a line of its
//!   own; and dictionary words in places that can only hold
//!   a password (a URL's userinfo, `Password=`, `PWD=`, `REACT_APP_*_USER`); quoted
//!   digitless passwords assigned, compared or introduced in prose (`password == "…"`,
//!   `the default password is '…'`); values quoted to the end of their line with `;` and
//!   `(` inside, a `NetworkCredential` password, a Gradle `buildConfigField` value, a
//!   connection string's `Password=` before its other keywords, Jenkins' initial admin
//!   password and a `.netrc` entry on three lines; passwords in prose that say what they are
//!   for (`the password for the admin account is …`, `was reset to …`, `pw: …`); an Azure
//!   storage key assigned to a
//!   subscript (`os.environ["…"] = "…"`), after `--account-key` and in prose.
//!
//! Every value is random from the seed.

use blackbar::Category;

use super::labels::Label;
use super::{CorpusFile, Doc, Rng};

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

const DATA_KEYS: &[&str] = &[
    "password",
    "username",
    "DATABASE_URL",
    "api-token",
    "tls.key",
    "config.json",
    "REDIS_PASSWORD",
    "client-secret",
];

pub fn files(rng: &mut Rng) -> Vec<CorpusFile> {
    vec![k8s(rng), device_api(rng), snippets(rng)]
}

/// A template (its `{}` is the value) and the rule that must report the value.
const SNIPPETS: &[(&str, &str)] = &[
    ("signing.password={}", "generic-password"),
    ("ossrhPassword={}", "generic-password"),
    ("systemProp.https.proxyPassword={}", "generic-password"),
    ("REACT_APP_STRIPE_SECRET_KEY={}", "generic-secret"),
    ("REACT_APP_API_TOKEN={}", "generic-api-token"),
    (
        "    <add key=\"ClearTextPassword\" value=\"{}\" />",
        "xml-secret-attribute",
    ),
    (
        "postgresql://app:{}@db.internal:5432/app",
        "url-credentials",
    ),
    (
        "host=db.internal port=5432 user=app password={} dbname=app",
        "generic-password",
    ),
    (
        "Driver={{ODBC Driver 18 for SQL Server}};Server=tcp:db,1433;Uid=app;Pwd={};",
        "odbc-connection-password",
    ),
    (
        "PGPASSWORD={} psql -h db.internal -U app",
        "generic-password",
    ),
    (
        "Server=db01;Port=5432;User Id=app; Password = {};Database=app;",
        "ado-net-connection-password",
    ),
    ("REACT_APP_AUTH_PASSWORD={}", "react-app-credential"),
    ("    password '{}'", "gradle-credentials-password"),
    (
        "<deployToken>\n    {}\n</deployToken>",
        "xml-secret-element-block",
    ),
    (
        "psexec \\\\fs01 -u CORP\\admin -p {} cmd /c whoami",
        "psexec-password",
    ),
    (
        "the password for the admin account is {} until Monday",
        "secret-in-prose",
    ),
    (
        "password was reset to {} by the helpdesk",
        "secret-in-prose",
    ),
    ("secret key = {}", "secret-in-prose"),
    ("pw: {}", "secret-in-prose"),
];

/// Places that can only hold a password, with a dictionary word in them: a weak password is
/// still a password there (the template's `{}` is the value).
const WEAK_SNIPPETS: &[(&str, &str)] = &[
    ("postgresql://app:{}@localhost:5432/app", "url-credentials"),
    (
        "Server=db01;User Id=app;Password={};Database=app;",
        "ado-net-connection-password",
    ),
    ("DSN=reports;UID=app;PWD={}", "odbc-connection-password"),
    ("REACT_APP_ADMIN_USER={}", "react-app-credential"),
];

/// Quoted values with no digit or symbol, where the quotes say what the value is: a quoted
/// password assignment or comparison, a secret compared with a literal, a quoted password in
/// prose (the template's `{}` is the value; the value is lowercase letters).
const WORD_SNIPPETS: &[(&str, &str)] = &[
    ("db_password = \"{}\"", "generic-password-quoted"),
    ("    \"AdminPassword\" : \"{}\",", "generic-password-quoted"),
    (
        "if username == \"ops\" and password == \"{}\":",
        "generic-password-quoted",
    ),
    ("if creds.Secret != \"{}\" {{", "secret-comparison"),
    ("The default password is '{}'", "password-in-prose-quoted"),
    (
        "the password for user \"backup\" is \"{}\".",
        "password-in-prose-quoted",
    ),
];

/// Values that need the text after them: a quoted value that ends its line (with `;` and `(`
/// inside, where the other generic rules stop), a password passed by position, a Gradle
/// `buildConfigField` value, a connection string's `Password=` before its other keywords.
const SYMBOL_SNIPPETS: &[(&str, &str)] = &[
    ("  jwt_secret: \"{}\"", "secret-quoted-to-line-end"),
    ("  jwt_secret: '{}'", "secret-single-quoted-to-line-end"),
    (
        "$wc.Credentials = New-Object System.Net.NetworkCredential(\"ci\", \"{}\")",
        "network-credential-password",
    ),
    (
        "    buildConfigField 'String', 'MAPS_API_KEY', '\"{}\"'",
        "gradle-build-config-secret",
    ),
    (
        "\"Password ={};Initial Catalog=Billing;Data Source=db01;\"",
        "ado-net-password-first",
    ),
];

/// Keys under their names where the name is not right before the value: a subscript
/// assignment, a command-line flag named `--*-key`, a key introduced in prose (the template's
/// `{}` is an Azure storage account key: 88 characters of base64).
const KEY_SNIPPETS: &[(&str, &str)] = &[
    (
        "os.environ[\"AZURE_STORAGE_KEY\"] = \"{}\"",
        "generic-api-token",
    ),
    (
        "az storage blob upload --account-name acme --account-key {} --file backup.tar",
        "cli-secret-flag",
    ),
    (
        "The storage account key is {} for the backup job.",
        "secret-in-prose",
    ),
];

/// Dictionary words people use as passwords.
const WEAK: &[&str] = &[
    "secret",
    "admin",
    "letmein",
    "dragonfly",
    "summer",
    "postgres",
];

/// What a snippet's slot is filled with.
#[derive(Clone, Copy)]
enum Value {
    /// [`password`]: 16 alphanumerics, one a digit.
    Password,
    /// One of [`WEAK`].
    Weak,
    /// Ten lowercase letters.
    Letters,
    /// [`password`] with `;(` inside.
    Symbols,
    /// 32 lowercase hex digits.
    Hex32,
    /// 86 base64 characters and `==`: a 64-byte key.
    Key64,
}

/// A password-like value: 16 alphanumerics, one of them a digit.
fn password(rng: &mut Rng) -> String {
    let mut s = String::new();
    rng.chars(&mut s, ALNUM, 15);
    let at = rng.below(16) as usize;
    let mut d = String::new();
    rng.chars(&mut d, b"0123456789", 1);
    s.insert_str(at, &d);
    s
}

fn snippets(rng: &mut Rng) -> CorpusFile {
    let mut doc = Doc::default();
    for round in 0..3 {
        doc.push(&format!("# snippets, round {round}\n"));
        let weak = WEAK_SNIPPETS.iter().map(|&(t, r)| (t, r, Value::Weak));
        let words = WORD_SNIPPETS.iter().map(|&(t, r)| (t, r, Value::Letters));
        let strong = SNIPPETS.iter().map(|&(t, r)| (t, r, Value::Password));
        let symbols = SYMBOL_SNIPPETS.iter().map(|&(t, r)| {
            let kind = match r {
                "secret-quoted-to-line-end" | "secret-single-quoted-to-line-end" => Value::Symbols,
                _ => Value::Password,
            };
            (t, r, kind)
        });
        let keys = KEY_SNIPPETS.iter().map(|&(t, r)| (t, r, Value::Key64));
        let jenkins = std::iter::once((
            "Please use the following password to proceed to installation:\n\n{}\n",
            "jenkins-initial-admin-password",
            Value::Hex32,
        ));
        let netrc = std::iter::once((
            "machine git.example.com\n  login deploy\n  password {}",
            "netrc-password",
            Value::Password,
        ));
        for (template, rule, kind) in strong
            .chain(weak)
            .chain(words)
            .chain(symbols)
            .chain(keys)
            .chain(jenkins)
            .chain(netrc)
        {
            let template = template.replace("{{", "\u{1}").replace("}}", "\u{2}");
            let (before, after) = template.split_once("{}").expect("a slot");
            let unbrace = |t: &str| t.replace('\u{1}', "{").replace('\u{2}', "}");
            doc.push(&unbrace(before));
            let start = doc.text.len() as u64;
            let value = match kind {
                Value::Weak => WEAK[rng.below(WEAK.len() as u64) as usize].to_string(),
                Value::Password => password(rng),
                Value::Letters => {
                    let mut s = String::new();
                    rng.chars(&mut s, b"abcdefghijklmnopqrstuvwxyz", 10);
                    s
                }
                Value::Symbols => {
                    let mut s = password(rng);
                    s.insert_str(8, ";(");
                    s
                }
                Value::Hex32 => {
                    let mut s = String::new();
                    rng.chars(&mut s, b"0123456789abcdef", 32);
                    s
                }
                Value::Key64 => {
                    let mut s = String::new();
                    rng.chars(&mut s, B64, 86);
                    s + "=="
                }
            };
            doc.push(&value);
            doc.labels.push(Label {
                start,
                end: doc.text.len() as u64,
                rule: rule.to_string(),
                category: Category::Secret,
            });
            doc.push(&unbrace(after));
            doc.push("\n");
        }
    }
    doc.finish("secrets/config-snippets.txt")
}

/// A base64 value: 4 to 60 characters of a whole number of quads, padded like base64.
fn b64(rng: &mut Rng) -> String {
    let mut s = String::new();
    let quads = rng.range(2, 16) as usize;
    rng.chars(&mut s, B64, quads * 4 - 2);
    match rng.below(3) {
        0 => s.push_str("=="),
        1 => {
            rng.chars(&mut s, ALNUM, 1);
            s.push('=');
        }
        _ => rng.chars(&mut s, ALNUM, 2),
    }
    s
}

fn name(rng: &mut Rng) -> String {
    let mut s = String::from(rng.pick(&["db", "api", "worker", "cache", "billing", "auth"]));
    s.push('-');
    rng.chars(&mut s, LOWER, 5);
    s
}

/// The data entries of one manifest, indented by `indent`; labels the span from the first
/// value to the last.
fn data_block(rng: &mut Rng, doc: &mut Doc, indent: &str, rule: &str) {
    let n = rng.range(1, 5) as usize;
    let first = rng.below(DATA_KEYS.len() as u64) as usize;
    let mut start = None;
    for i in 0..n {
        let key = DATA_KEYS[(first + i) % DATA_KEYS.len()];
        doc.push(&format!("{indent}  {key}: "));
        start.get_or_insert(doc.text.len() as u64);
        doc.push(&b64(rng));
        if i + 1 < n {
            doc.push("\n");
        }
    }
    doc.labels.push(Label {
        start: start.expect("one entry at least"),
        end: doc.text.len() as u64,
        rule: rule.to_string(),
        category: Category::Secret,
    });
    doc.push("\n");
}

fn k8s(rng: &mut Rng) -> CorpusFile {
    let mut doc = Doc::default();
    for i in 0..24 {
        if i > 0 {
            doc.push("---\n");
        }
        match i % 4 {
            // Hand-written and Helm order: kind before data.
            0 | 1 => {
                doc.push("apiVersion: v1\nkind: Secret\nmetadata:\n");
                doc.push(&format!("  name: {}\n  namespace: prod\n", name(rng)));
                if rng.chance(50) {
                    doc.push("  labels:\n    app.kubernetes.io/part-of: shop\n");
                }
                doc.push("type: Opaque\ndata:\n");
                data_block(rng, &mut doc, "", "k8s-secret-data");
            }
            // kubectl's order: apiVersion, data, kind, metadata, type.
            2 => {
                doc.push("apiVersion: v1\ndata:\n");
                data_block(rng, &mut doc, "", "k8s-secret-data-sorted");
                doc.push(&format!(
                    "kind: Secret\nmetadata:\n  name: {}\n  namespace: prod\ntype: Opaque\n",
                    name(rng)
                ));
            }
            // Not secret: a ConfigMap, whose values may look like base64.
            _ => {
                doc.push(&format!(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\ndata:\n",
                    name(rng)
                ));
                doc.push(&format!(
                    "  LOG_LEVEL: info\n  FEATURE_SEED: {}\n",
                    b64(rng)
                ));
            }
        }
    }
    doc.finish("secrets/k8s-secrets.yaml")
}

fn device_api(rng: &mut Rng) -> CorpusFile {
    let mut doc = Doc::default();
    for i in 0..40 {
        let at = format!("2024-05-01T10:{:02}:{:02}Z", i, rng.below(60));
        let ms = rng.range(2, 90);
        if i % 3 == 2 {
            // Ordinary API requests under /api/v1/.
            let path = rng.pick(&[
                "/api/v1/users/profile",
                "/api/v1/deviceprofilesummaries/attributes",
                "/api/v1/health",
                "/api/v1/orders/telemetry",
            ]);
            doc.push(&format!("{at} GET {path} 200 {ms}ms\n"));
            continue;
        }
        let (method, resource) = match rng.below(3) {
            0 => ("POST", "telemetry"),
            1 => ("GET", "attributes?clientKeys=firmware"),
            _ => ("GET", "rpc?timeout=20000"),
        };
        doc.push(&format!("{at} {method} /api/v1/"));
        let start = doc.text.len() as u64;
        let mut token = String::new();
        rng.chars(&mut token, ALNUM, 20);
        doc.push(&token);
        doc.labels.push(Label {
            start,
            end: doc.text.len() as u64,
            rule: "thingsboard-access-token".into(),
            category: Category::Secret,
        });
        doc.push(&format!("/{resource} 200 {ms}ms\n"));
    }
    doc.finish("secrets/device-api.log")
}
