//! Planted-value generators for the default catalog's secret rules.
//!
//! [`PLANTS`] maps each secret rule id to a generator that turns a seed into one fresh,
//! synthetic value the rule must find: `(lead, value)`, where `lead` is the text that must
//! come right before the value (a key name and `=`, a URL prefix; empty for self-describing
//! tokens) and `value` is exactly the bytes the rule reports (its `secret` group, or the whole
//! match). Every value is random: checksummed formats get their checksum computed (GitHub and
//! npm CRC32-base62, Atlassian CRC32, GitLab routable CRC32, age Bech32), structured ones get
//! their structure built (PyPI macaroons, JWTs, PEM blocks), and nothing is a real credential.
//!
//! Value shapes are written as templates: `{k:N}` is N characters from set `k` (`a` alphanumeric,
//! `l` lower alphanumeric, `u` upper alphanumeric, `h`/`H` hex, `d` digits, `L`/`U` letters,
//! `b` base64url, `s` base64, `B` base58, `D` crypt's `./0-9A-Za-z`, `Z`/`Y` lower/upper base32),
//! `{c:XYZ}` one character of `XYZ`, `{uuid}` a random UUID; anything else is literal.
//! Base64 runs (`b`, `s`) start and end with an alphanumeric so that word boundaries hold.
//!
//! Included by path (`#[path = "../corpora/values/secrets.rs"]`): std and blackbar's public API
//! only, no `crate::` paths.

use blackbar::testkit::checksum::{
    base62_crc32, bech32_checksum, crc32, gitlab_routable_crc, BECH32_CHARSET,
};

/// (rule id, generator). The generator makes one fresh value from a seed and returns
/// (lead, value): `lead` is the text that must come immediately before the value for the rule to
/// fire (a key name and `=`, `Bearer `, a context word and a space; usually empty), `value` is
/// exactly the byte span the rule must report (for rules with a `secret` group, the group).
#[allow(clippy::type_complexity)] // The shared interface spells the type out.
pub const PLANTS: &[(&str, fn(u64) -> (String, String))] = &[
    ("aws-access-key-id", |s| v(s, "AKIA{Y:16}")),
    ("aws-secret-access-key", |s| {
        kv(s, "aws_secret_access_key = ", "{s:40}")
    }),
    ("github-pat-classic", |s| github_classic(s, "ghp_")),
    ("github-oauth-token", |s| github_classic(s, "gho_")),
    ("github-user-to-server-token", |s| github_classic(s, "ghu_")),
    ("github-server-to-server-token", |s| {
        github_classic(s, "ghs_")
    }),
    ("github-refresh-token", |s| github_classic(s, "ghr_")),
    ("github-fine-grained-pat", |s| {
        v(s, "github_pat_{a:22}_{a:59}")
    }),
    ("gitlab-pat", |s| v(s, "glpat-{b:20}")),
    ("gitlab-deploy-token", |s| v(s, "gldt-{b:20}")),
    ("gitlab-runner-token", |s| v(s, "glrt-{b:20}")),
    ("gitlab-pipeline-trigger-token", |s| v(s, "glptt-{h:40}")),
    ("gitlab-runner-registration-token", |s| {
        v(s, "GR1348941{b:20}")
    }),
    ("gitlab-scim-token", |s| v(s, "glsoat-{b:20}")),
    ("gitlab-ci-job-token", |s| v(s, "glcbt-64_{b:20}")),
    ("gitlab-feed-token", |s| v(s, "glft-{b:20}")),
    ("gitlab-incoming-mail-token", |s| v(s, "glimt-{b:25}")),
    ("gitlab-agent-token", |s| v(s, "glagent-{b:50}")),
    ("gitlab-oauth-app-secret", |s| v(s, "gloas-{b:64}")),
    ("gitlab-feature-flag-token", |s| v(s, "glffct-{b:20}")),
    ("slack-bot-token", |s| v(s, "xoxb-{d:12}-{d:13}-{a:24}")),
    ("slack-user-token", |s| {
        v(s, "xoxp-{d:11}-{d:11}-{d:13}-{h:32}")
    }),
    ("slack-legacy-token", |s| {
        v(s, "xoxs-{d:10}-{d:10}-{d:10}-{h:32}")
    }),
    ("slack-config-token", |s| v(s, "xoxe.xoxp-1-{a:160}")),
    ("slack-app-token", |s| v(s, "xapp-1-{u:11}-{d:13}-{h:64}")),
    ("slack-webhook-url", |s| {
        kv(
            s,
            "https://",
            "hooks.slack.com/services/T{u:10}/B{u:10}/{a:24}",
        )
    }),
    ("stripe-secret-key", |s| v(s, "sk_live_51{a:97}")),
    ("stripe-restricted-key", |s| v(s, "rk_live_51{a:97}")),
    ("stripe-webhook-secret", |s| v(s, "whsec_{a:32}")),
    ("google-api-key", |s| v(s, "AIza{b:35}")),
    ("google-oauth-client-secret", |s| v(s, "GOCSPX-{b:28}")),
    ("openai-proj-key", |s| v(s, "sk-proj-{b:156}")),
    ("openai-service-account-key", |s| v(s, "sk-svcacct-{b:156}")),
    ("openai-admin-key", |s| v(s, "sk-admin-{b:156}")),
    ("openai-legacy-key", |s| v(s, "sk-{a:20}T3BlbkFJ{a:20}")),
    ("anthropic-api-key", |s| v(s, "sk-ant-api03-{b:93}AA")),
    ("anthropic-admin-key", |s| v(s, "sk-ant-admin01-{b:93}AA")),
    ("huggingface-token", |s| v(s, "hf_{a:34}")),
    ("replicate-api-token", |s| v(s, "r8_{a:37}")),
    ("groq-api-key", |s| v(s, "gsk_{a:52}")),
    ("perplexity-api-key", |s| v(s, "pplx-{a:48}")),
    ("npm-token", |s| github_classic(s, "npm_")),
    ("pypi-token", |s| pypi(s, b"pypi.org")),
    ("rubygems-api-key", |s| v(s, "rubygems_{h:48}")),
    ("clojars-token", |s| v(s, "CLOJARS_{l:60}")),
    ("docker-hub-pat", |s| v(s, "dckr_pat_{b:27}")),
    ("jfrog-api-key", |s| v(s, "AKCp{a:69}")),
    ("jfrog-reference-token", |s| v(s, "cmVmd{a:59}")),
    ("twilio-api-key", |s| v(s, "SK{h:32}")),
    ("twilio-auth-token", |s| {
        kv(s, "TWILIO_AUTH_TOKEN=", "{h:32}")
    }),
    ("sendgrid-api-key", |s| v(s, "SG.{b:22}.{b:43}")),
    ("mailgun-api-key", |s| v(s, "key-{h:32}")),
    ("mailgun-private-key", |s| {
        kv(s, "MAILGUN_SIGNING_KEY=", "{h:32}-{h:8}-{h:8}")
    }),
    ("mailchimp-api-key", |s| v(s, "{h:32}-us{d:2}")),
    ("sendinblue-api-key", |s| v(s, "xkeysib-{h:64}-{a:16}")),
    ("telegram-bot-token", |s| v(s, "{d:10}:AA{b:33}")),
    ("discord-webhook-url", |s| {
        kv(s, "https://discord.com/api/webhooks/{d:18}/", "{b:68}")
    }),
    ("microsoft-teams-webhook", |s| {
        v(
            s,
            "https://acme.webhook.office.com/webhookb2/{uuid}@{uuid}/IncomingWebhook/{a:32}/{uuid}",
        )
    }),
    ("azure-storage-account-key", |s| {
        kv(
            s,
            "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=",
            "{s:86}==",
        )
    }),
    ("azure-sas-token", |s| {
        kv(
            s,
            "https://acme.blob.core.windows.net/c/f?sv=2022-11-02&sp=r&sig=",
            "{s:43}%3D",
        )
    }),
    ("azure-service-bus-key", |s| {
        kv(
            s,
            "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=",
            "{s:43}=",
        )
    }),
    ("azure-ad-client-secret", |s| v(s, "{a:3}8Q~{a:34}")),
    ("alibaba-access-key-id", |s| v(s, "LTAI{a:20}")),
    ("tencent-secret-id", |s| v(s, "AKID{a:32}")),
    ("digitalocean-pat", |s| v(s, "dop_v1_{h:64}")),
    ("digitalocean-oauth-token", |s| v(s, "doo_v1_{h:64}")),
    ("digitalocean-refresh-token", |s| v(s, "dor_v1_{h:64}")),
    ("heroku-api-key", |s| v(s, "HRKU-AA{b:58}")),
    ("heroku-api-key-legacy", |s| {
        kv(s, "HEROKU_API_KEY=", "{uuid}")
    }),
    ("netlify-access-token", |s| v(s, "nfp_{a:40}")),
    ("vercel-token", |s| kv(s, "VERCEL_TOKEN=", "{a:24}")),
    ("cloudflare-api-token", |s| {
        kv(s, "CLOUDFLARE_API_TOKEN=", "{b:40}")
    }),
    ("cloudflare-origin-ca-key", |s| v(s, "v1.0-{h:24}-{h:146}")),
    ("hashicorp-vault-service-token", |s| v(s, "hvs.{b:95}")),
    ("hashicorp-vault-batch-token", |s| v(s, "hvb.{b:140}")),
    ("hashicorp-vault-recovery-token", |s| v(s, "hvr.{b:30}")),
    ("hashicorp-vault-legacy-token", |s| {
        kv(s, "VAULT_TOKEN=", "s.{a:24}")
    }),
    ("terraform-cloud-token", |s| v(s, "{a:14}.atlasv1.{b:67}")),
    ("doppler-token", |s| v(s, "dp.pt.{a:43}")),
    ("pulumi-access-token", |s| v(s, "pul-{h:40}")),
    ("databricks-token", |s| v(s, "dapi{h:32}")),
    ("supabase-access-token", |s| v(s, "sbp_{h:40}")),
    ("planetscale-token", |s| v(s, "pscale_tkn_{b:43}")),
    ("fly-io-token", |s| v(s, "fo1_{b:43}")),
    ("okta-api-token", |s| kv(s, "OKTA_API_TOKEN=", "00{b:40}")),
    ("atlassian-api-token", |s| atlassian(s)),
    ("linear-api-key", |s| v(s, "lin_api_{a:40}")),
    ("notion-integration-token", |s| v(s, "ntn_{d:11}{a:35}")),
    ("figma-pat", |s| v(s, "figd_{b:40}")),
    ("postman-api-key", |s| v(s, "PMAK-{h:24}-{h:34}")),
    ("sentry-user-token", |s| v(s, "sntryu_{h:64}")),
    ("sentry-org-token", |s| v(s, "sntrys_eyJ{s:100}_{s:43}")),
    ("newrelic-user-api-key", |s| v(s, "NRAK-{u:27}")),
    ("newrelic-insert-key", |s| v(s, "NRII-{b:32}")),
    ("newrelic-license-key", |s| v(s, "{h:36}NRAL")),
    ("grafana-cloud-token", |s| v(s, "glc_{s:60}")),
    ("grafana-service-account-token", |s| {
        v(s, "glsa_{a:32}_{h:8}")
    }),
    ("shopify-access-token", |s| v(s, "shpat_{h:32}")),
    ("shopify-custom-app-token", |s| v(s, "shpca_{h:32}")),
    ("shopify-private-app-token", |s| v(s, "shppa_{h:32}")),
    ("shopify-shared-secret", |s| v(s, "shpss_{h:32}")),
    ("datadog-api-key", |s| kv(s, "DD_API_KEY=", "{h:32}")),
    ("datadog-app-key", |s| kv(s, "DD_APP_KEY=", "{h:40}")),
    ("square-access-token", |s| v(s, "EAAA{b:60}")),
    ("square-oauth-secret", |s| v(s, "sq0csp-{b:43}")),
    ("braintree-access-token", |s| {
        v(s, "access_token$production${l:16}${h:32}")
    }),
    ("facebook-access-token", |s| v(s, "EAAB{a:120}")),
    ("twitch-oauth-token", |s| {
        kv(s, "TWITCH_OAUTH_TOKEN=", "{l:30}")
    }),
    ("dropbox-short-lived-token", |s| v(s, "sl.{b:140}")),
    ("asana-pat", |s| {
        kv(s, "ASANA_TOKEN=", "2/{d:16}/{d:16}:{h:32}")
    }),
    ("airtable-pat", |s| v(s, "pat{a:14}.{h:64}")),
    ("contentful-pat", |s| v(s, "CFPAT-{b:43}")),
    ("dynatrace-api-token", |s| v(s, "dt0c01.{u:24}.{u:64}")),
    ("mapbox-secret-token", |s| v(s, "sk.eyJ1Ijoi{b:40}.{b:22}")),
    ("onepassword-secret-key", |s| {
        v(s, "A3-{u:6}-{u:6}-{u:5}-{u:5}-{u:5}-{u:5}")
    }),
    ("onepassword-service-account-token", |s| {
        v(s, "ops_eyJ{s:300}")
    }),
    ("age-secret-key", |s| age_secret_key(s)),
    ("openshift-user-token", |s| v(s, "sha256~{b:43}")),
    ("harness-access-token", |s| v(s, "pat.{b:22}.{a:24}.{a:20}")),
    ("easypost-api-key", |s| v(s, "EZAK{a:54}")),
    ("shippo-api-token", |s| v(s, "shippo_live_{h:40}")),
    ("prefect-api-key", |s| v(s, "pnu_{a:36}")),
    ("maxmind-license-key", |s| v(s, "{a:6}_{a:29}_mmk")),
    ("jwt", |s| jwt(s)),
    ("pem-private-key", |s| pem_private_key(s)),
    ("generic-password", |s| {
        kv(s, "password=", "{a:12}{d:2}{a:2}")
    }),
    ("generic-secret", |s| {
        kv(s, "client_secret=", "{a:12}{d:2}{a:6}")
    }),
    ("generic-api-token", |s| {
        kv(s, "api_key=", "{a:20}{d:2}{a:4}")
    }),
    ("secret-in-prose", |s| {
        kv(s, "the secret key is ", "{a:12}{d:2}{a:4}")
    }),
    ("authorization-header", |s| {
        kv(s, "Authorization: Token ", "{a:30}{d:2}")
    }),
    ("cli-secret-flag", |s| {
        kv(s, "deploy --api-key ", "{a:14}{d:2}")
    }),
    ("name-value-secret", |s| {
        kv(
            s,
            "\"name\": \"DB_PASSWORD\", \"value\": \"",
            "{a:12}{d:2}{a:2}",
        )
    }),
    ("terraform-variable-default", |s| {
        // The lead holds a brace, which a template would read as a set: written out.
        let lead = "variable \"db_password\" {\n  type    = string\n  default = \"";
        (lead.to_string(), fill(s, "{a:20}"))
    }),
    ("name-value-secret-block", |s| {
        kv(
            s,
            "        - name: API_TOKEN\n          value: ",
            "{a:18}{d:2}",
        )
    }),
    ("authorization-bearer", |s| {
        kv(s, "Authorization: Bearer ", "{b:40}")
    }),
    ("authorization-basic", |s| {
        kv(s, "Authorization: Basic ", "{s:32}")
    }),
    ("gitlab-pat-routable", |s| gitlab_routable(s, "glpat-")),
    ("gitlab-runner-token-routable", |s| {
        gitlab_routable(s, "glrt-t1_")
    }),
    ("gitlab-session-cookie", |s| {
        kv(s, "_gitlab_session=", "{h:32}")
    }),
    ("bitbucket-app-password", |s| v(s, "ATBB{a:32}{H:8}")),
    ("circleci-personal-token", |s| v(s, "CCIPAT_{a:22}_{h:40}")),
    ("circleci-project-token", |s| v(s, "CCIPRJ_{a:22}_{h:40}")),
    ("buildkite-agent-token", |s| v(s, "bkua_{h:40}")),
    ("sonarqube-token", |s| v(s, "squ_{h:40}")),
    ("sonarqube-legacy-token", |s| {
        kv(s, "sonar.login=", "{h:40}")
    }),
    ("dependency-track-api-key", |s| v(s, "odt_{a:8}_{a:32}")),
    ("codeclimate-reporter-id", |s| {
        kv(s, "CC_TEST_REPORTER_ID: ", "{h:64}")
    }),
    ("travis-ci-token", |s| kv(s, "TRAVIS_API_TOKEN=", "{a:22}")),
    ("drone-ci-token", |s| kv(s, "DRONE_TOKEN=", "{a:32}")),
    ("codecov-token", |s| kv(s, "CODECOV_TOKEN=", "{uuid}")),
    ("snyk-token", |s| kv(s, "SNYK_TOKEN=", "{uuid}")),
    ("sourcegraph-token", |s| v(s, "sgp_{h:16}_{h:40}")),
    ("gitea-token", |s| kv(s, "GITEA_TOKEN=", "{h:40}")),
    ("github-oauth-client-secret", |s| {
        kv(s, "GITHUB_CLIENT_SECRET=", "{h:40}")
    }),
    ("docker-hub-org-token", |s| v(s, "dckr_oat_{b:32}")),
    ("azure-devops-pat", |s| kv(s, "AZURE_DEVOPS_PAT=", "{Z:52}")),
    ("jenkins-api-token", |s| {
        kv(s, "JENKINS_API_TOKEN=", "11{h:32}")
    }),
    ("render-api-key", |s| v(s, "rnd_{a:32}")),
    ("infracost-api-key", |s| v(s, "ico-{a:32}")),
    ("readme-api-key", |s| v(s, "rdme_{l:70}")),
    ("scalingo-api-token", |s| v(s, "tk-us-{b:48}")),
    ("aws-session-token", |s| v(s, "IQoJb3JpZ2luX2Vj{s:320}")),
    ("aws-bedrock-api-key", |s| {
        v(s, "ABSKQmVkcm9ja0FQSUtleS{s:110}")
    }),
    ("aws-bedrock-short-term-key", |s| {
        v(s, "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t{s:600}")
    }),
    ("aws-mws-key", |s| v(s, "amzn.mws.{uuid}")),
    ("google-oauth-access-token", |s| v(s, "ya29.a0{b:150}")),
    ("gcp-service-account-key", |s| {
        (fill(s, "\"private_key\": \""), gcp_service_account_key(s).1)
    }),
    ("azure-storage-identifiable-key", |s| {
        v(s, "{s:76}+ASt{s:5}{c:AQgw}==")
    }),
    ("azure-cosmosdb-identifiable-key", |s| {
        v(s, "{s:76}ACDb{s:5}{c:AQgw}==")
    }),
    ("azure-batch-identifiable-key", |s| {
        v(s, "{s:76}+ABa{s:5}{c:AQgw}==")
    }),
    ("azure-apim-identifiable-key", |s| {
        v(s, "{s:76}APIM{s:5}{c:AQgw}==")
    }),
    ("azure-ml-identifiable-key", |s| {
        v(s, "{s:76}+AMC{s:5}{c:AQgw}==")
    }),
    ("azure-function-identifiable-key", |s| {
        v(s, "{b:44}AzFu{b:5}{c:AQgw}==")
    }),
    ("azure-search-identifiable-key", |s| {
        v(s, "{a:42}AzSe{c:ABCD}{a:5}")
    }),
    ("azure-container-registry-identifiable-key", |s| {
        v(s, "{s:42}+ACR{c:ABCD}{s:5}")
    }),
    ("azure-service-bus-identifiable-key", |s| {
        v(s, "{s:33}+ASb{c:ABCDEFGHIJKLMNOP}{s:5}=")
    }),
    ("azure-event-hub-identifiable-key", |s| {
        v(s, "{s:33}+AEh{c:ABCDEFGHIJKLMNOP}{s:5}=")
    }),
    ("azure-relay-identifiable-key", |s| {
        v(s, "{s:33}+ARm{c:ABCDEFGHIJKLMNOP}{s:5}=")
    }),
    ("azure-redis-identifiable-key", |s| {
        v(s, "{s:33}AzCa{c:ABCDEFGHIJKLMNOP}{s:5}=")
    }),
    ("azure-event-grid-identifiable-key", |s| {
        v(s, "{s:33}AZEG{c:ABCDEFGHIJKLMNOP}{s:5}=")
    }),
    ("azure-iot-identifiable-key", |s| {
        v(s, "{s:33}AIoT{c:ABCDEFGHIJKLMNOP}{s:5}=")
    }),
    ("azure-cask-key", |s| {
        v(s, "{a:52}JQQJ9{c:9DH}{a:1}{c:ABCDEFGHIJKL}{a:16}{U:1}{a:7}")
    }),
    ("azure-openai-key", |s| {
        kv(s, "AZURE_OPENAI_API_KEY=", "{h:32}")
    }),
    ("ibm-cloud-api-key", |s| {
        kv(s, "IBM_CLOUD_API_KEY=", "{b:44}")
    }),
    ("scaleway-secret-key", |s| {
        kv(s, "SCW_SECRET_KEY=", "{uuid}")
    }),
    ("linode-token", |s| kv(s, "LINODE_TOKEN=", "{h:64}")),
    ("vultr-api-key", |s| kv(s, "VULTR_API_KEY=", "{u:36}")),
    ("hetzner-api-token", |s| kv(s, "HCLOUD_TOKEN=", "{a:64}")),
    ("fastly-api-token", |s| kv(s, "FASTLY_API_TOKEN=", "{b:32}")),
    ("tailscale-key", |s| v(s, "tskey-auth-k{a:10}CNTRL-{a:33}")),
    ("ngrok-authtoken", |s| {
        kv(s, "NGROK_AUTHTOKEN=", "2{a:26}_{a:21}")
    }),
    ("yandex-cloud-api-key", |s| v(s, "AQVN{b:36}")),
    ("yandex-oauth-token", |s| v(s, "y0_AgAAAA{b:50}")),
    ("huawei-cloud-access-key", |s| {
        kv(s, "HUAWEICLOUD_SDK_SK=", "{a:40}")
    }),
    ("alibaba-access-key-secret", |s| {
        kv(s, "ALIBABA_CLOUD_ACCESS_KEY_SECRET=", "{a:30}")
    }),
    ("tencent-secret-key", |s| {
        kv(s, "TENCENTCLOUD_SECRET_KEY=", "{a:32}")
    }),
    ("oracle-cloud-auth-token", |s| {
        kv(s, "OCI_AUTH_TOKEN=", "{a:20}")
    }),
    ("railway-token", |s| kv(s, "RAILWAY_TOKEN=", "{uuid}")),
    ("kubeconfig-client-key", |s| {
        kv(s, "client-key-data: ", "LS0tLS1CRUdJTi{s:400}")
    }),
    ("kubernetes-bootstrap-token", |s| {
        kv(s, "kubeadm join --token ", "{l:6}.{l:16}")
    }),
    ("paypal-braintree-client-secret", |s| {
        kv(s, "PAYPAL_CLIENT_SECRET=", "E{b:79}")
    }),
    ("flutterwave-secret-key", |s| v(s, "FLWSECK_TEST-{h:32}-X")),
    ("flutterwave-encryption-key", |s| v(s, "FLWSECK_TEST{h:12}")),
    ("razorpay-key-secret", |s| {
        kv(s, "RAZORPAY_KEY_SECRET=", "{a:24}")
    }),
    ("razorpay-key-id", |s| v(s, "rzp_live_{a:14}")),
    ("plaid-access-token", |s| v(s, "access-production-{uuid}")),
    ("plaid-secret", |s| kv(s, "PLAID_SECRET=", "{h:30}")),
    ("duffel-api-token", |s| v(s, "duffel_live_{b:43}")),
    ("gocardless-token", |s| {
        kv(s, "GOCARDLESS_ACCESS_TOKEN=", "live_{b:40}")
    }),
    ("coinbase-api-secret", |s| {
        kv(s, "COINBASE_API_SECRET=", "{b:64}")
    }),
    ("binance-api-secret", |s| {
        kv(s, "BINANCE_API_SECRET=", "{a:64}")
    }),
    ("kraken-api-secret", |s| {
        kv(s, "KRAKEN_PRIVATE_KEY=", "{s:86}==")
    }),
    ("discord-bot-token", |s| {
        kv(s, "DISCORD_BOT_TOKEN=", "M{a:25}.{a:6}.{b:38}")
    }),
    ("google-chat-webhook", |s| {
        kv(
            s,
            "https://chat.googleapis.com/v1/spaces/AAAA{b:7}/messages?",
            "key=AIzaSy{b:33}&token={b:43}%3D",
        )
    }),
    ("zapier-webhook", |s| {
        kv(s, "https://hooks.zapier.com/hooks/catch/{d:8}/", "{l:7}")
    }),
    ("azure-logic-app-webhook", |s| {
        kv(s, "https://prod-27.westeurope.logic.azure.com:443/workflows/{h:32}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=", "{b:43}")
    }),
    ("mattermost-token", |s| kv(s, "MATTERMOST_TOKEN=", "{l:26}")),
    ("pushover-token", |s| kv(s, "PUSHOVER_TOKEN=", "a{l:29}")),
    ("line-channel-token", |s| {
        kv(s, "LINE_CHANNEL_ACCESS_TOKEN=", "{s:171}=")
    }),
    ("vonage-api-secret", |s| {
        kv(s, "VONAGE_API_SECRET=", "{a:16}")
    }),
    ("messagebird-api-key", |s| {
        kv(s, "MESSAGEBIRD_API_KEY=", "{a:25}")
    }),
    ("brevo-smtp-key", |s| v(s, "xsmtpsib-{h:64}-{a:16}")),
    ("mailchimp-transactional-key", |s| {
        kv(s, "MANDRILL_API_KEY=", "md-{b:22}")
    }),
    ("postmark-server-token", |s| {
        kv(s, "POSTMARK_SERVER_TOKEN=", "{uuid}")
    }),
    ("resend-api-key", |s| v(s, "re_{a:8}_{a:24}")),
    ("mailjet-secret-key", |s| {
        kv(s, "MAILJET_SECRET_KEY=", "{h:32}")
    }),
    ("sparkpost-api-key", |s| {
        kv(s, "SPARKPOST_API_KEY=", "{h:40}")
    }),
    ("loops-api-key", |s| kv(s, "LOOPS_API_KEY=", "{h:32}")),
    ("newrelic-insights-query-key", |s| v(s, "NRIQ-{b:32}")),
    ("newrelic-admin-key", |s| v(s, "NRAA-{h:27}")),
    ("grafana-api-key-legacy", |s| v(s, "eyJrIjoi{a:90}")),
    ("honeycomb-api-key", |s| v(s, "hcaik_{l:58}")),
    ("honeycomb-config-key", |s| {
        kv(s, "HONEYCOMB_API_KEY=", "{a:22}")
    }),
    ("axiom-token", |s| v(s, "xaat-{uuid}")),
    ("elastic-cloud-api-key", |s| v(s, "essu_{s:80}")),
    ("elasticsearch-api-key", |s| {
        kv(s, "Authorization: ApiKey ", "{s:80}==")
    }),
    ("splunk-hec-token", |s| {
        kv(s, "Authorization: Splunk ", "{uuid}")
    }),
    ("sumologic-access-key", |s| {
        kv(s, "SUMOLOGIC_ACCESS_KEY=", "{a:64}")
    }),
    ("sumologic-access-id", |s| {
        kv(s, "SUMO_ACCESS_ID=", "su{a:12}")
    }),
    ("logzio-token", |s| kv(s, "LOGZIO_TOKEN=", "{L:16}{U:16}")),
    ("rollbar-access-token", |s| {
        kv(s, "ROLLBAR_ACCESS_TOKEN=", "{h:32}")
    }),
    ("bugsnag-api-key", |s| kv(s, "BUGSNAG_API_KEY=", "{h:32}")),
    ("honeybadger-token", |s| v(s, "hbp_{a:36}")),
    ("opsgenie-api-key", |s| kv(s, "OPSGENIE_API_KEY=", "{uuid}")),
    ("pagerduty-api-key", |s| {
        kv(s, "PAGERDUTY_API_KEY=", "u+{a:18}")
    }),
    ("checkly-api-key", |s| v(s, "cu_{h:32}")),
    ("lightstep-access-token", |s| {
        kv(s, "LIGHTSTEP_ACCESS_TOKEN=", "{a:32}")
    }),
    ("xai-api-key", |s| v(s, "xai-{a:80}")),
    ("openrouter-api-key", |s| v(s, "sk-or-v1-{h:64}")),
    ("langsmith-api-key", |s| v(s, "lsv2_pt_{h:32}_{h:10}")),
    ("langfuse-secret-key", |s| v(s, "sk-lf-{uuid}")),
    ("nvidia-api-key", |s| v(s, "nvapi-{b:64}")),
    ("pinecone-api-key", |s| v(s, "pcsk_{a:6}_{a:64}")),
    ("tavily-api-key", |s| v(s, "tvly-dev-{a:32}")),
    ("fireworks-api-key", |s| v(s, "fw_{a:24}")),
    ("cerebras-api-key", |s| v(s, "csk-{l:48}")),
    ("jina-api-key", |s| v(s, "jina_{h:32}{b:28}")),
    ("firecrawl-api-key", |s| v(s, "fc-{h:32}")),
    ("voyage-api-key", |s| v(s, "pa-{a:43}")),
    ("anyscale-api-key", |s| v(s, "esecret_{a:26}")),
    ("cohere-api-key", |s| kv(s, "COHERE_API_KEY=", "{a:40}")),
    ("mistral-api-key", |s| kv(s, "MISTRAL_API_KEY=", "{a:32}")),
    ("deepseek-api-key", |s| {
        kv(s, "DEEPSEEK_API_KEY=", "sk-{h:32}")
    }),
    ("together-api-key", |s| {
        kv(s, "TOGETHER_API_KEY=", "tgp_v1_{b:43}")
    }),
    ("assemblyai-api-key", |s| {
        kv(s, "ASSEMBLYAI_API_KEY=", "{h:32}")
    }),
    ("deepgram-api-key", |s| kv(s, "DEEPGRAM_API_KEY=", "{h:40}")),
    ("elevenlabs-api-key", |s| {
        kv(s, "ELEVENLABS_API_KEY=", "sk_{h:48}")
    }),
    ("stability-api-key", |s| {
        kv(s, "STABILITY_API_KEY=", "sk-{a:48}")
    }),
    ("wandb-api-key", |s| kv(s, "WANDB_API_KEY=", "{h:40}")),
    ("clarifai-pat", |s| kv(s, "CLARIFAI_PAT=", "{h:32}")),
    ("mongodb-atlas-api-key", |s| {
        kv(s, "MONGODB_ATLAS_PRIVATE_KEY=", "{uuid}")
    }),
    ("supabase-secret-key", |s| v(s, "sb_secret_{b:31}")),
    ("neon-api-key", |s| v(s, "napi_{l:64}")),
    ("xata-api-key", |s| v(s, "xau_{a:40}")),
    ("redis-password", |s| kv(s, "REDIS_PASSWORD=", "{a:24}")),
    ("jdbc-password", |s| {
        kv(
            s,
            "jdbc:sqlserver://db.internal:1433;databaseName=app;user=app;password=",
            "{a:20}",
        )
    }),
    ("ado-net-connection-password", |s| {
        kv(
            s,
            "Server=tcp:db.example.net,1433;Initial Catalog=app;User ID=app;Password=",
            "{a:20}",
        )
    }),
    ("odbc-connection-password", |s| {
        kv(s, "DSN=prod;UID=app;PWD=", "{a:16}")
    }),
    ("influxdb-token", |s| kv(s, "INFLUXDB_TOKEN=", "{b:86}==")),
    ("snowflake-password", |s| {
        kv(s, "SNOWFLAKE_PASSWORD=", "{a:24}")
    }),
    ("upstash-redis-token", |s| {
        kv(s, "UPSTASH_REDIS_REST_TOKEN=", "AX{b:60}")
    }),
    ("firebase-cloud-messaging-key", |s| {
        v(s, "AAAA{b:7}:APA91b{b:134}")
    }),
    ("pypi-test-token", |s| pypi(s, b"test.pypi.org")),
    ("nuget-api-key", |s| {
        v(s, "oy2{c:abcdefghijklmnop}{l:15}{c:aq}{l:11}{c:eu}{c:bdfhjlnprtvxz357}{c:abcdefghijklmnop}{l:11}{c:aeimquy4}")
    }),
    ("crates-io-token", |s| v(s, "cio{a:32}")),
    ("hex-api-key", |s| kv(s, "HEX_API_KEY=", "{h:32}")),
    ("npm-legacy-auth-token", |s| {
        kv(s, "//registry.npmjs.org/:_authToken=", "{uuid}")
    }),
    ("npmrc-auth", |s| {
        kv(s, "//npm.pkg.example.com/:_auth=", "{s:40}==")
    }),
    ("deno-deploy-token", |s| v(s, "ddp_{a:36}")),
    ("gradle-publish-secret", |s| {
        kv(s, "gradle.publish.secret=", "{a:32}")
    }),
    ("sonatype-central-token", |s| {
        kv(s, "OSSRH_TOKEN=", "{s:44}")
    }),
    ("cloudsmith-api-key", |s| {
        kv(s, "CLOUDSMITH_API_KEY=", "{h:40}")
    }),
    ("artifactory-identity-token", |s| {
        kv(s, "ARTIFACTORY_TOKEN=", "{a:64}")
    }),
    ("adobe-client-secret", |s| v(s, "p8e-{a:32}")),
    ("hubspot-private-app-token", |s| v(s, "pat-na1-{uuid}")),
    ("clickup-api-token", |s| v(s, "pk_{d:8}_{u:32}")),
    ("typeform-pat", |s| v(s, "tfp_{b:59}")),
    ("intercom-access-token", |s| v(s, "dG9rOj{s:54}=")),
    ("twitter-bearer-token", |s| {
        v(s, "AAAAAAAAAAAAAAAAAAAAA{a:12}%3D{a:84}")
    }),
    ("twitter-api-secret", |s| {
        kv(s, "TWITTER_API_SECRET=", "{a:50}")
    }),
    ("linkedin-client-secret", |s| {
        kv(s, "LINKEDIN_CLIENT_SECRET=", "{a:16}")
    }),
    ("spotify-client-secret", |s| {
        kv(s, "SPOTIFY_CLIENT_SECRET=", "{h:32}")
    }),
    ("facebook-app-secret", |s| {
        kv(s, "FACEBOOK_APP_SECRET=", "{h:32}")
    }),
    ("algolia-admin-key", |s| {
        kv(s, "ALGOLIA_ADMIN_KEY=", "{h:32}")
    }),
    ("zendesk-api-token", |s| {
        kv(s, "ZENDESK_API_TOKEN=", "{a:40}")
    }),
    ("freshdesk-api-key", |s| {
        kv(s, "FRESHDESK_API_KEY=", "{a:20}")
    }),
    ("trello-api-token", |s| v(s, "ATTA{a:64}{H:8}")),
    ("segment-write-key", |s| {
        kv(s, "SEGMENT_WRITE_KEY=", "{a:32}")
    }),
    ("mixpanel-api-secret", |s| {
        kv(s, "MIXPANEL_API_SECRET=", "{h:32}")
    }),
    ("launchdarkly-sdk-key", |s| v(s, "sdk-{uuid}")),
    ("sendbird-api-token", |s| {
        kv(s, "SENDBIRD_API_TOKEN=", "{h:40}")
    }),
    ("lob-api-key", |s| v(s, "live_{h:35}")),
    ("frameio-token", |s| v(s, "fio-u-{b:64}")),
    ("authress-key", |s| {
        v(s, "sc_{a:12}.{a:5}.acc_{a:20}.{b:60}")
    }),
    ("settlemint-token", |s| v(s, "sm_pat_{a:16}")),
    ("defined-networking-key", |s| v(s, "dnkey-{b:26}-{b:52}")),
    ("sidekiq-enterprise-credentials", |s| {
        kv(s, "BUNDLE_ENTERPRISE__CONTRIBSYS__COM=", "{h:8}:{h:8}")
    }),
    ("intra42-client-secret", |s| v(s, "s-s4t2ud-{h:64}")),
    ("gitter-token", |s| kv(s, "GITTER_TOKEN=", "{b:40}")),
    ("etsy-api-key", |s| kv(s, "ETSY_API_KEY=", "{l:24}")),
    ("age-recipient", |s| age_recipient(s)),
    ("bitcoin-extended-private-key", |s| {
        v(s, "xprv9s21ZrQH143K{c:23456789}{B:94}")
    }),
    ("ethereum-private-key", |s| {
        kv(s, "ETH_PRIVATE_KEY=", "0x{h:64}")
    }),
    ("bitcoin-wif-private-key", |s| kv(s, "WIF_KEY=", "K{B:51}")),
    ("solana-private-key", |s| {
        kv(s, "SOLANA_PRIVATE_KEY=", "{B:87}")
    }),
    ("mnemonic-seed-phrase", |s| {
        (fill(s, "MNEMONIC="), mnemonic(s).1)
    }),
    ("infura-api-key", |s| kv(s, "INFURA_API_KEY=", "{h:32}")),
    ("alchemy-api-key", |s| kv(s, "ALCHEMY_API_KEY=", "{b:32}")),
    ("etherscan-api-key", |s| {
        kv(s, "ETHERSCAN_API_KEY=", "{u:34}")
    }),
    ("bcrypt-password-hash", |s| v(s, "$2b$12${D:53}")),
    ("htpasswd-apr1-hash", |s| v(s, "$6${D:16}${D:86}")),
    ("django-secret-key", |s| {
        kv(s, "DJANGO_SECRET_KEY=", "django-insecure-{a:40}")
    }),
    ("rails-secret-key-base", |s| {
        kv(s, "SECRET_KEY_BASE=", "{h:128}")
    }),
    ("rails-master-key", |s| kv(s, "RAILS_MASTER_KEY=", "{h:32}")),
    ("laravel-app-key", |s| kv(s, "APP_KEY=", "base64:{s:43}=")),
    ("jwt-signing-secret", |s| kv(s, "JWT_SECRET=", "{a:32}")),
    ("session-secret", |s| kv(s, "SESSION_SECRET=", "{a:32}")),
    ("encryption-key", |s| kv(s, "ENCRYPTION_KEY=", "{h:64}")),
    ("ssh-password-flag", |s| kv(s, "sshpass -p ", "{a:16}")),
    ("mysql-password-flag", |s| {
        kv(s, "mysql -u root -p", "{a:16}")
    }),
    ("curl-user-password", |s| kv(s, "curl -u admin:", "{a:16}")),
    ("psexec-password", |s| {
        kv(s, "psexec \\\\fs01 -u CORP\\admin -p ", "{a:16}")
    }),
    ("discord-client-secret", |s| {
        kv(s, "DISCORD_CLIENT_SECRET=", "{a:32}")
    }),
    ("django-insecure-secret-key", |s| {
        v(s, "django-insecure-{l:50}")
    }),
    ("react-app-credential", |s| {
        kv(s, "REACT_APP_AUTH_PASSWORD=", "{a:16}")
    }),
    ("hashicorp-vault-unseal-key", |s| {
        kv(s, "Unseal Key 1: ", "{s:44}")
    }),
    ("kerberos-asrep-hash", |s| {
        v(s, "$krb5asrep$23$svc_{l:6}@CORP.LOCAL:{h:32}${h:240}")
    }),
    ("kerberos-tgs-hash", |s| {
        v(
            s,
            "$krb5tgs$23$*svc_{l:6}$CORP.LOCAL$MSSQLSvc/db{d:2}.corp.local:1433*${h:32}${h:240}",
        )
    }),
    ("k8s-secret-data", |s| {
        kv(
            s,
            "kind: Secret\ntype: Opaque\ndata:\n  password: ",
            "{s:22}==",
        )
    }),
    ("aws-arn-account-id", |s| kv(s, "arn:aws:iam::", "{d:12}")),
    ("salesforce-access-token", |s| {
        v(s, "00D{a:15}!{a:40}.{a:55}")
    }),
    ("aws-account-id-assignment", |s| {
        kv(s, "aws_account_id=", "{d:12}")
    }),
    ("truenas-api-key", |s| {
        kv(s, "TRUENAS_API_KEY=", "{d:1}-{a:64}")
    }),
    ("twitch-stream-key", |s| v(s, "live_{d:9}_{a:30}")),
    ("adafruit-io-key", |s| v(s, "aio_{a:28}")),
    ("docker-config-auth", |s| kv(s, "\"auth\": \"", "{s:40}==")),
    ("netrc-password", |s| {
        kv(
            s,
            "machine api.example.com login deploy password ",
            "{a:20}",
        )
    }),
];

/// SplitMix64: a small, well-mixed generator so that nearby seeds give unrelated values.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, salt: &str) -> Rng {
        // FNV-1a of the template, so that two rules with the same seed still differ.
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for b in salt.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Rng(seed ^ h)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick(&mut self, set: &[u8]) -> char {
        char::from(set[self.below(set.len())])
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn charset(k: char) -> &'static [u8] {
    match k {
        'a' => ALNUM,
        'l' => b"abcdefghijklmnopqrstuvwxyz0123456789",
        'u' => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        'h' => b"0123456789abcdef",
        'H' => b"0123456789ABCDEF",
        'd' => b"0123456789",
        'L' => b"abcdefghijklmnopqrstuvwxyz",
        'U' => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        'b' => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
        's' => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        'B' => b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz",
        'D' => b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        'Z' => b"abcdefghijklmnopqrstuvwxyz234567",
        'Y' => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
        _ => panic!("unknown template set '{k}'"),
    }
}

/// Expands a template (see the module doc) with a generator seeded by `seed` and the template.
fn fill(seed: u64, template: &str) -> String {
    let mut rng = Rng::new(seed, template);
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("unclosed '{' in template");
        let spec = &rest[open + 1..close];
        if spec == "uuid" {
            let h: String = (0..32).map(|_| rng.pick(charset('h'))).collect();
            out.push_str(&format!(
                "{}-{}-4{}-a{}-{}",
                &h[..8],
                &h[8..12],
                &h[13..16],
                &h[17..20],
                &h[20..]
            ));
        } else if let Some(chars) = spec.strip_prefix("c:") {
            out.push(rng.pick(chars.as_bytes()));
        } else {
            let (k, n) = spec.split_once(':').expect("template spec is k:N");
            let k = k.chars().next().expect("template set");
            let n: usize = n.parse().expect("template length");
            let set = charset(k);
            for i in 0..n {
                let edge = i == 0 || i + 1 == n;
                let set = if edge && matches!(k, 'b' | 's') {
                    ALNUM
                } else {
                    set
                };
                out.push(rng.pick(set));
            }
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A self-describing token: no lead.
fn v(seed: u64, template: &str) -> (String, String) {
    (String::new(), fill(seed, template))
}

/// A value that needs its key name (or URL prefix) before it.
fn kv(seed: u64, lead: &str, template: &str) -> (String, String) {
    (fill(seed ^ 0x5bd1_e995, lead), fill(seed, template))
}

fn base64(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(alphabet[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// Unpadded base64url.
fn b64url(bytes: &[u8]) -> String {
    base64(
        bytes,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
    )
}

/// Standard base64 with padding.
fn b64(bytes: &[u8]) -> String {
    let mut s = base64(
        bytes,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    );
    while s.len() % 4 != 0 {
        s.push('=');
    }
    s
}

fn base36(mut n: u64, width: usize) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    while n > 0 || out.is_empty() {
        out.push(digits[(n % 36) as usize]);
        n /= 36;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

/// GitHub classic tokens and npm tokens: prefix, 30 random base62 characters, and the
/// base62 CRC32 of those 30.
fn github_classic(seed: u64, prefix: &str) -> (String, String) {
    let random = fill(seed, &format!("{prefix}{{a:30}}"));
    let body = &random[prefix.len()..];
    let check = base62_crc32(body.as_bytes());
    (
        String::new(),
        format!("{random}{}", std::str::from_utf8(&check).expect("base62")),
    )
}

/// Atlassian API tokens: `ATATT3`, a base64url body, `=`, and the upper-hex CRC32 of all that.
fn atlassian(seed: u64) -> (String, String) {
    let head = fill(seed, "ATATT3xFfGF0{b:170}=");
    let value = format!("{head}{:08X}", crc32(head.as_bytes()));
    (String::new(), value)
}

/// 52 random 5-bit groups: 32 bytes in Bech32's data alphabet, the 4 padding bits zero.
fn bech32_string(seed: u64, hrp: &str) -> String {
    let mut rng = Rng::new(seed, hrp);
    let mut data: Vec<u8> = (0..51).map(|_| rng.below(32) as u8).collect();
    data.push((rng.below(2) as u8) << 4);
    let check = bech32_checksum(hrp.as_bytes(), &data);
    let mut s = format!("{hrp}1");
    s.extend(
        data.iter()
            .map(|&d| char::from(BECH32_CHARSET[usize::from(d)])),
    );
    s.push_str(std::str::from_utf8(&check).expect("bech32"));
    s
}

/// age X25519 secret key: Bech32 with the `age-secret-key-` prefix, in upper case.
fn age_secret_key(seed: u64) -> (String, String) {
    (
        String::new(),
        bech32_string(seed, "age-secret-key-").to_ascii_uppercase(),
    )
}

/// age X25519 recipient (public key): Bech32 with the `age` prefix, in lower case.
fn age_recipient(seed: u64) -> (String, String) {
    (String::new(), bech32_string(seed, "age"))
}

/// A routable GitLab token as GitLab's generator lays it out: routing payload (`o:` and `u:`
/// ids in base36), 16 random bytes and their count, base64url; version `01`; the payload
/// length in base36; the base36 CRC32 of everything before it.
fn gitlab_routable(seed: u64, prefix: &str) -> (String, String) {
    let mut rng = Rng::new(seed, prefix);
    let mut payload = format!(
        "o:{}\nu:{}",
        base36(1 + rng.next() % 1_000_000, 1),
        base36(1 + rng.next() % 10_000_000, 1)
    )
    .into_bytes();
    payload.extend(rng.bytes(16));
    payload.push(16);
    let p = b64url(&payload);
    let head = format!("{prefix}{p}.01.{}", base36(p.len() as u64, 2));
    let crc = gitlab_routable_crc(head.as_bytes());
    (
        String::new(),
        format!("{head}{}", std::str::from_utf8(&crc).expect("base36")),
    )
}

/// A PyPI token: `pypi-` and a v2 macaroon located at `location`, with an identifier, one
/// first-party caveat and a (random) 32-byte signature.
fn pypi(seed: u64, location: &[u8]) -> (String, String) {
    let mut rng = Rng::new(seed, "pypi");
    let mut m = vec![2u8, 1, location.len() as u8];
    m.extend_from_slice(location);
    let id = format!(
        "{{\"version\": 1, \"id\": \"{}\"}}",
        fill(rng.next(), "{uuid}")
    );
    m.extend([2, id.len() as u8]);
    m.extend_from_slice(id.as_bytes());
    m.push(0);
    let caveat = br#"{"version": 1, "permissions": "user"}"#;
    m.extend([2, caveat.len() as u8]);
    m.extend_from_slice(caveat);
    m.push(0);
    m.push(0);
    m.extend([6, 32]);
    m.extend(rng.bytes(32));
    (String::new(), format!("pypi-{}", b64url(&m)))
}

/// An HS256 JWT with a random subject and a random signature.
fn jwt(seed: u64) -> (String, String) {
    let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = format!(
        "{{\"sub\":\"{}\",\"iat\":{}}}",
        fill(seed, "user-{l:12}"),
        1_700_000_000 + seed % 50_000_000
    );
    let mut rng = Rng::new(seed, "jwt");
    let sig = b64url(&rng.bytes(32));
    (
        String::new(),
        format!("{header}.{}.{sig}", b64url(claims.as_bytes())),
    )
}

/// A PEM private key block with random base64 lines.
fn pem_private_key(seed: u64) -> (String, String) {
    let mut rng = Rng::new(seed, "pem");
    let body = b64(&rng.bytes(600));
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("base64"))
        .collect();
    (
        String::new(),
        format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
            lines.join("\n")
        ),
    )
}

/// The `private_key` string of a Google service-account JSON file, with its `\n` escapes.
fn gcp_service_account_key(seed: u64) -> (String, String) {
    let mut rng = Rng::new(seed, "gcp");
    let body = b64(&rng.bytes(360));
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("base64"))
        .collect();
    (
        String::new(),
        format!(
            "-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n",
            lines.join("\\n")
        ),
    )
}

/// Twelve words from the start of the BIP-39 English list (random order, no checksum word).
fn mnemonic(seed: u64) -> (String, String) {
    const WORDS: &[&str] = &[
        "abandon", "ability", "able", "about", "above", "absent", "absorb", "abstract", "absurd",
        "abuse", "access", "accident", "account", "accuse", "achieve", "acid", "acoustic",
        "acquire", "across", "action", "actor", "actress", "actual", "adapt", "addict", "address",
        "adjust", "admit", "adult", "advance", "advice", "aerobic", "affair", "afford", "afraid",
        "again", "agent", "agree", "ahead", "airport", "aisle", "alarm", "album", "alcohol",
        "alert", "alien", "alley", "allow", "almost", "alone", "alpha", "already", "also", "alter",
        "always", "amateur", "amazing", "among", "amount", "amused", "analyst", "anchor",
        "ancient", "anger",
    ];
    let mut rng = Rng::new(seed, "mnemonic");
    let words: Vec<&str> = (0..12).map(|_| WORDS[rng.below(WORDS.len())]).collect();
    (String::new(), words.join(" "))
}
