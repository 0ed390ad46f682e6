package main

import "net/http"

const authressKey = "sc_WsKOoU9V9h0a.QJCc7.acc_Ycsv5w8nqPzKa8KW09em.6yQcdSNwt3UoB7EQo_3IdkH_iMC1XH-YEBYBSHpmiWx43pUOAVGI-Z3Wc1du"

const sourcegraphToken = "sgp_993552645740eb63_a186645f62067400d6c256685dbbbd4ae4d1288c"

const nugetApiKey = "oy2c9g5zvvhn6pf7z25qr83r23ckxatupjm17gs3818hjq"

const access = "nEpu0SYsuQCBwIpH5UEs/4Ak7oI8hS+Fy4J/Bwp5gm3lcedRsdTE5eVvCYzW6svgyue8bO1lIPTz+AMCWr+CVA=="

func newRequest4(req *http.Request) {
	req.Header.Set("X-DockerToken", "dckr_oat_2iW5JF5FwHQrrO6zgb63FXiHxkLPcF_E")
}

var header5 = "COINBASE_API_SECRET=uurvMCvh6Hnm2P5FfS-rzj0WMqETE3ISoOR4mbqde0h-hS3RYowUVGW3UmwH0A2x"

func newRequest6(req *http.Request) {
	req.Header.Set("X-TwilioKey", "SK4c742a2d24e63fc52c027c4150eeed17")
}

var header7 = "TWITTER_API_SECRET=kWgjy0DaHjCbb6hBwtW6TbgMce47Nm7P7ihM2ppreI5EpvQEPO"

var header8 = ""auth": "lsNsn97TiwTMMsNsaYGEKQZ2/MJhlqq+kOJmS/an=="

const clickupToken = "pk_37700458_08SHB9W8A60DGVMCB55GT947Z4D8D7SA"

func newRequest10(req *http.Request) {
	req.Header.Set("X-IntercomToken", "dG9rOj5eXjrOJE9J7BP59W/AEbaU4nMSZag6OfmiLjiICTSYP8CrtTrsGClY=")
}

var header11 = "TWILIO_AUTH_TOKEN=8ac4e7bd313d83224db664df103f4d13"

var header12 = "APP_KEY=base64:ffnfpMnuRB2aPujutQyHZjs/9Hcw6wzkhs7wfd5uZK1="

var header13 = "Authorization: Basic OOD5NnBPLk0wQ9Vk1AHresZLMjENRAM0"

const squareToken = "sq0csp-s5JVP-HK1KKFfQZuOQjnvazCBGbRoILH6lUK9ALjFmV"

func newRequest15(req *http.Request) {
	req.Header.Set("X-PostmanApiKey", "PMAK-6bfefff9233b8e5b3595928a-ff1ead0352f12a98d4a36c43c2280df8f2")
}

const bitbucketToken = "ATBB830rGocu84EDPuermNxbaBBjXkHYFur4E1DB5F95"

var header17 = "SNYK_TOKEN=72943e1b-cd35-46eb-aa4c-07ce184660af"

const twitterToken = "AAAAAAAAAAAAAAAAAAAAAhPly5J8kZlHr%3DjNTcvwFHlNNrbE6SYjFz3lS8qFJBj6oJ5LqxRVCZlHp2yUcAB3p73TY8ofQVkHsYFrRGzDngC0tBKN4NexLC"

var header19 = ""private_key": "-----BEGIN PRIVATE KEY-----\n59Dy6FPD39NLVqwEqElME5EZ1xjLEuSt3nmZXNBAi4Ad3HT2TJDln/Qm10hm7Xsk\nLsbubn05BB2tEA3D5Vs4guAlUOcP1oIenopka6c7ctwPNUoB5ffpi21g4C3JvUar\n3CE95pGBc+cP73YqR4AiJmc/gf2MLk1BEaUgLp7xCJ72hYq/J7B9wMtFA0jwVynU\neGbG9KSPFBKsTZvr3KLtMVw2b+76oUJHnYlPu8D5U55KDjv7akRq7DkeuGcwqx0j\nQFU8zNSmA3FPcPdB2jnFoH9oJnr2DGY6CnUoIA6wbx21h0yS+3NyoeSyCYjNfGy9\ndZXMBWMD6n22JiGkYCv/Qbokf1Oy0BoqMJS88Ks1epf92ZRIICx3G01WbzTmlmqM\nK/fH12dZgE095UBlSe1kiaooV3Pf1l329b8Nqa0tzmzKasQ1UW8rKe2Z3IX+cVaw\n33BrjGvUF5Lup/Zj2WwIJ2f5oy7Kv/Ap\n-----END PRIVATE KEY-----\n"

var header20 = "SEGMENT_WRITE_KEY=WSrsOmsGklRvJNbiQwM1dfKDluldDuCe"

const launchdarklyKey = "sdk-789832bf-b28e-4724-a88c-496f38b67319"

var header22 = "POSTMARK_SERVER_TOKEN=52967c6e-c666-4cff-a0ae-2edc7a27ff6f"

var header23 = "DD_APP_KEY=050c08cb440333be0c8e77385c34cf19ff9dec67"

func newRequest24(req *http.Request) {
	req.Header.Set("X-GitlabToken", "glffct-XEG2_91s6QOdbRxqI1jk")
}

var header25 = "INFLUXDB_TOKEN=pPMEBH1RhV4NoirfjpjBS4UP3CC1qgqdz3udlh5Sw21zQoBnkdDSUeQawT4Sg5wqSW7y37fWc54PRpWKq4f7ek=="

func newRequest26(req *http.Request) {
	req.Header.Set("X-YandexToken", "y0_AgAAAAq0jrk2X3SPjrLeOyL9rgxboQJKsAHs9pNg7NxHFKA-ps0GjCBh")
}

func newRequest27(req *http.Request) {
	req.Header.Set("X-SlackToken", "xoxs-6690933110-9480209018-1135144985-830ca460d8270a36b01d5fc0c1cca396")
}

const anthropicApiKey = "sk-ant-api03-6kioj6tKbXEPWTEWEL7zMM2_o25JdNSYsFZ5J1xQG0WyRDV6y1zn92YBUnzKm2xvZpGwLiJtY94_RH81Fr1ZTML2TJYWPAA"

const adobeSecret = "p8e-XHmyuYC0ayCeUsPtRz1vTb2h3QUiTlnx"

var header30 = "MESSAGEBIRD_API_KEY=cSCYoD7XknXcqAAgl4kfTY6F2"

func newRequest31(req *http.Request) {
	req.Header.Set("X-HarnessToken", "pat.dhSJo1_mlIgDu1-1BqPIbq.H03zTZrkFhm1f7Nfl9dlJ9YU.ScsFhqd5qu314XesqFyl")
}

var header32 = "ARTIFACTORY_TOKEN=7IRkRzhxrY63WBIBx5Y7cSXO32SqW8GUapOx8HDriSXXefXBuVeLVWzJs7Y1Vgeb"

var header33 = "Authorization: Splunk ecd75a78-40c8-49bd-a50e-c3bb56728080"

func newRequest34(req *http.Request) {
	req.Header.Set("X-Credential", "AIzaFIfHb_6JBNJqYzfRnd096W6910SdXp9-9SR")
}

func newRequest35(req *http.Request) {
	req.Header.Set("X-NewRelicKey", "NRAK-B4EUTQD1LKK3C5L3T6TDZ3Y9SXM")
}

const tavilyApiKey = "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"

const gitlabToken2 = "glpat-LjsS0jBWH9pxdcjvpMiV"

const azureCosmosKey = "rHPlAiJqa8LvdkJpoklJ/4EMICX3p2TvHgINsIytLYGhVD/6u2LZBXT54hVRWI/CJ+eRBHVl9+pWACDbEjQEVg=="

const cargoRegistryToken = "cio4pyFVFbv2qVja3k8uBGlqXrTRMHiECVr"

var header40 = "GITHUB_CLIENT_SECRET=4c48956ddd61570a3b8f25c0a03760d383049bc3"

const gitlabToken3 = "glimt-t4LJw0FrAcsBY2wAFx1rBUgGA"

const openaiApiKey = "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"

func newRequest43(req *http.Request) {
	req.Header.Set("X-OnepasswordToken", "ops_eyJsN+2taLUF/lCLpV2jStJpiMStIHdgANuyv6hh0DxVAq0S7zpynLDiyLh1JD37Plfuv5ffhFy3pa2OcEjwoiE4W0UI8p2zD8120Dv1LaXYQETtuhurdIUH9zoDkdg61cLwFLGh7KhhqxCYJFCti+OALpqcJUPk95eMzTzUOkqdo971dGFzPvASCsVpWnNytvr9uWZzSpt5YqwhVz9DCDRI7JytMqFLSIo5oPjkpWjv2QBFffKAIndoQ/rZoyI6px6KqvoPhJfhAbhG6tCTLjkb5iPlB+ncrUohsgsjDqufjpc")
}

var header44 = "SUMOLOGIC_ACCESS_KEY=qNT5reWUzmdSlyIuZrq5rseM8GHmeQ0uvh4vpCeViVNXVbzR5hymhW1MvqML4Xg4"

const vaultToken = "hvr.TXfAEUpxO-FhsNACRd5HonnCt_AvF3"

const teamsWebhook = "https://acme.webhook.office.com/webhookb2/a07535cc-5fb1-4af3-a903-0ab6e45ef3d2@8491cf6f-f72d-4591-a65c-f9f76dc29a29/IncomingWebhook/4uR431NOEnSNfk70QxQAlHXdn2pip1wm/80ac4ac2-ff59-403f-a712-05427ebda18e"

var header47 = "ETH_PRIVATE_KEY=0x1d1300be2a2b0c6c338ef391f7b4b2d16c87c759227ea1fdd583607a3726ebfc"

const artifactoryKey = "cmVmdmLkSrKOp1ulyEXLaMiHSLvGXs584R84D5vDlxN4Sb1S5BeZ93XV3x46hwpR"

func newRequest49(req *http.Request) {
	req.Header.Set("X-Secret", "the secret key is mZOJagVw7iFn87MiTQ")
}

func newRequest50(req *http.Request) {
	req.Header.Set("X-GithubToken", "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")
}

var header51 = "BINANCE_API_SECRET=TQ06nUMA58hYTDxVjIYNwhqX42Zc8n13rCWSMglFUNCCvgni0QQILAjQAumHHety"

func newRequest52(req *http.Request) {
	req.Header.Set("X-BrevoKey", "xsmtpsib-c0813b4997ec87a64aa3e026efbefbf137d4df832f6896572427672c4d2cba46-hPGxaHi6yjvXut4W")
}

const azureApimKey = "KomBthgt6+VV84/rU/A/ERmKzsgAZPXUtSdlYYA6nbCOlEQ/MD762gCUV7yH+pas7z3IJ2LHgchSAPIM8uOAvw=="

func newRequest54(req *http.Request) {
	req.Header.Set("X-AlibabaAccessKey", "LTAIhGFIPhZkmk85TajdiCZC")
}

func newRequest55(req *http.Request) {
	req.Header.Set("X-GithubToken2", "ghu_olm4S2VJcZEItgPbVVjnynDWj0mMia29UVhQ")
}

var header56 = "https://acme.blob.core.windows.net/c/f?sv=2022-11-02&sp=r&sig=crV0b0TrVPg4ZshIaK3z9T0k+/2Xf2Lap567XfrZxI4%3D"

func newRequest57(req *http.Request) {
	req.Header.Set("X-Auth2", "mysql -u root -pt7RBCpIpcHUWuv8T")
}

func newRequest58(req *http.Request) {
	req.Header.Set("X-ClientAuth2", "re_ljSjZXN3_DJeVEnJhLYMFfp8zqlMVl1hH")
}

var header59 = "DD_API_KEY=35ed3d4ad8ec3b1ef68a3744eb674222"

var header60 = "SESSION_SECRET=ngNpMNTmDbFn0JuqooJwXXmQTs9F9Z33"

var header61 = "KRAKEN_PRIVATE_KEY=qWyFAgDIMktbioQGo7zHKnwnf2mSfo5PhBebQl4OQ8UX6RAIKquto2S6Vk3Ux9haTAwBOazfr0/z7o/6lF6MJO=="

func newRequest62(req *http.Request) {
	req.Header.Set("X-VaultToken2", "hvs.jhPfxCWpboCsVGumVcujiRa6riFJUxhtqznFFnZyvSqrMirya9gHcduAptHHQ5ZEytRPDypHddRoe-n6OPLVHMobzUgBk8o")
}

const vaultToken3 = "hvb.SLEXhw1yKUK8pITNhzEJ_3MfuzEZkCM7R3mt42QNJo62jZM7Drp6f2d7zK95v-rX9izx0pf-LfE3SKhydArkPzBRB-GQEvAYs9O3OIyofRVw3921YDJNgwkQ958r8YdiGc9Hvc-xBdhw"

const elasticApiKey = "essu_o1VBCbFxO1VKHZqrhbG4tqzVA9jehvM81E4e+Y+bR6gGSN/blPmyv0AbGhfHqPGGEVhsj6FU1Q74drpn"

var header65 = "LINODE_TOKEN=3f18ad24ea9eaa84f40f1e0ae7d092a7f41515f4871f6339be59c4c938df3371"

func newRequest66(req *http.Request) {
	req.Header.Set("X-AzureIotKey", "tGqV0DbokF1jxn0O911YXt9zJj48WiXfwAIoTMxAjQw=")
}

var header67 = "MONGODB_ATLAS_PRIVATE_KEY=1db95589-452c-47f6-a2c6-c017a522a639"

var header68 = "HUAWEICLOUD_SDK_SK=8IHAguOVFZDsUpfOfKKcTcQ2u1NXYuaU6J3l3NgV"

var header69 = "MNEMONIC=about amused aisle agent adult account also afford acid alarm able agree"

const azureClientSecret = "XvW8Q~8olrkk3brIkYqMYTkP61XbAKrmz912bVw8"

const githubToken3 = "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"

const upstreamAuth = "sk-lf-585b66e6-c7e6-41f0-a5c5-8151c9c77ca5"

func newRequest73(req *http.Request) {
	req.Header.Set("X-HubspotToken", "pat-na1-e6687fa5-116c-401b-a0f3-4699ea12f45d")
}

func newRequest74(req *http.Request) {
	req.Header.Set("X-ClientAuth3", "pcsk_S2nWGg_enj5mBEKH1RKLBV6M69GuhlsXeYrqjIF2aXFfnNq4oeXRqMD5oQunuaM5PIIfkfB")
}

var header75 = "DISCORD_BOT_TOKEN=MRoq5bMjoiBBw570dXkuN5X0Fl.WM70Jr.WKhPQnvmnJ0OhXpZcX7CIYvEVjFfIxYHJ6qWAf"

func newRequest76(req *http.Request) {
	req.Header.Set("X-Access4", "jOQ+UqaIVTcrzIujyf/BiIXMPiRjWdzZEAzCaHSo42C=")
}

func newRequest77(req *http.Request) {
	req.Header.Set("X-SlackToken2", "xoxb-881351496170-4639395312432-2yoK7D1EaWtVuxEuXRYw3cdw")
}

func newRequest78(req *http.Request) {
	req.Header.Set("X-AgeRecipient", "age1dglmfevnxzruvj5cfjyjt0wmzreq6mz9xs5da684ytcjl60uyskq6urpqv")
}

var header79 = "ALCHEMY_API_KEY=w1GnVZkcQNd9x2AgafA6jS6Xn5iL_NJ9"

var header80 = "MIXPANEL_API_SECRET=5ff56a8c0e346a9e15ad70f19c1016a9"

func newRequest81(req *http.Request) {
	req.Header.Set("X-GithubToken4", "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")
}

var header82 = "UPSTASH_REDIS_REST_TOKEN=AXaeqRX1Npo7fQFhqPX_Ln6olqFvC0N3Oji_xfDd92NCxQi2xhu_24ZwHYEPVX"

var header83 = "JENKINS_API_TOKEN=110726d8b86c501e1410c5060322de87b8"

const clientAuth4 = "xoxp-15388251281-10040750226-6329094312948-f44cc76e3ce6c2a4aec6776be43fab77"

var header85 = "CLARIFAI_PAT=aad7e7316c07788fc18110546205e8df"

var header86 = "DEEPGRAM_API_KEY=792d79e6980eed15e0c4eb440e59d9914491a6ed"

const access5 = "ghs_BYjln9Kxt7wrX0Mq77m3nKoc7MpDQi4cjRrQ"

const azureBatchKey = "zj5xFSmGNUesfh0sGDNzBDboqfXHKIvz+YYUk538JuPtHbf/pf9LmAFhx763Pk90m7n8qGZNUvFF+ABaUFN/Rg=="

const gitlabToken4 = "glft-JYQdNUd3WRttc8u12mCK"

func newRequest90(req *http.Request) {
	req.Header.Set("X-DopplerToken", "dp.pt.rlpjC2XXu6lFeZIpm0I01XyZM0YBqnBzZm0T7l1rMij")
}

func newRequest91(req *http.Request) {
	req.Header.Set("X-NotionToken", "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")
}

var header92 = "Authorization: ApiKey wcNLWAfbSiWGUnqAlH7HPOG2diutbLgc4/PlglMuGIwQKDmbXt06zjQ9l2s4C9d2sAtTY1k48ECYBSTq=="

const lobApiKey = "live_4a5e9a2ba49307a259f9bd1e9942d87b156"

func newRequest94(req *http.Request) {
	req.Header.Set("X-CircleciToken", "CCIPAT_6VEq4JgXy1r4wivjnStE8m_9f600ffe2e17046f1ed72a40a66a7aa94ee56dc1")
}

var header95 = "IBM_CLOUD_API_KEY=QPaggQMP433s9ZMcfFaSAD3FXj6plYIcniVEasTImkR5"

var header96 = "ALIBABA_CLOUD_ACCESS_KEY_SECRET=AqaN8UHebAMsMyksaMR9xoqFnAfc8T"

const upstreamAuth2 = "gloas-A2wPH7erLyQPviVIRYQuQOQrvHocIYJNn7gBIgq5wZeMEqukiZZV7F4cFbwvi_YJ"

const sentryToken = "sntrys_eyJFXYpUk9e76iQo6MJCuFVJ+czk8IrRc69suOKFKQnsJCleRODX4o88muunWZPeUJ6ZVRED5BjdZpn4nCWr07SOHzkpCeL2E/1EHpT_oprNZAFuzL7DkFOJ8MOgkQR4HY0NykQDYv+gtrVErYF"

var header99 = "aws_secret_access_key = OdcJxKXvob/vzBibtqBWhEy+mYnbqfIDbbak4ZXd"

const sentryToken2 = "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"

const artifactoryKey2 = "AKCpB5Mgii1apZotov9CZmRgOpHMVTxUwvwpGiS0kYxk9E7pQ53rgbu2Ll8PIV0TQMvPXepcv"

func newRequest102(req *http.Request) {
	req.Header.Set("X-GoogleClientSecret", "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")
}

func newRequest103(req *http.Request) {
	req.Header.Set("X-TerraformToken", "NaArGsc5Y8gVsv.atlasv1.BGesE7m0bYcHaB88K7nhgaBwjCtM8Gpjm4bJ9c7CCHaqrB5zkPgEpD6TTUvYdBE4XBy")
}

const clientAuth5 = "shippo_live_6fef1478787a9b0b20950a34a4a842cf39e1211f"

func newRequest105(req *http.Request) {
	req.Header.Set("X-Auth3", "dop_v1_f3394056dbbeb2ae3eb1cc85cea534d9d8a7d89b1948ec895cca367650d42296")
}

var header106 = "TOGETHER_API_KEY=tgp_v1_UINR_E8RVM1bOmbgstDtVWLtOS4rpPdU4HKdr-bp85y"

var header107 = "TENCENTCLOUD_SECRET_KEY=1pTvwLyry3hUTCJmf0SzMbH9YZV8UO1j"

var header108 = "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=SmwAVp0siJubSNPnlWQfuSBkexdVuLu+miAVYZ4/dRn="

func newRequest109(req *http.Request) {
	req.Header.Set("X-UpstreamAuth3", "AAAAraoxmeo:APA91b010c_Y9nXtWqlzV6M4pvh1W-3e8n9o0FZnl0cf74tUyKWzaeHM9ZyswiYSxnQ4iIB_HJ2qFI9-0-GXqt_LGs4kB7PhFQn8wFx7C-QsgmJs-4NakBBdbudEYJsKFlhSkPwyj1N4")
}

var header110 = "SENDBIRD_API_TOKEN=9b896748c400102b586f80c9485369ec101d5c27"

const azureKey = "IybA3WvzvoKixit0OvN6uRYoSuWKlUtS4sV141kRBPhRlIJBg7BjJQQJ99MAbZuqkbX10fJ5sUCNQtI8ISxg"

const credential3 = "fw_xjQNdLL7yoCdEhneblnUbHkD"

func newRequest113(req *http.Request) {
	req.Header.Set("X-PypiToken", "pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogIjIyNTE2ZTVkLTIwNDctNDg1My1hMjU4LThjYWEyMTFjYzVmMCJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiDM7pWuZFzTI8RV4-B9z0uqx2I-q7qAZ1OWjdKjhxz01Q")
}

const cryptoPrivateKey = "xprv9s21ZrQH143K3BjXPBqTsExH6viuAzVxe7Pp3JseudrFRsn7PktuVLWxmSF56bbNy8qMNqakMtVbWdAtEDmieSr6Z1ArM7nXwHmdye3E3yc"

var header115 = "WANDB_API_KEY=314198f664a4562e2912c01d644d3fa313f5abb8"

var header116 = "GOCARDLESS_ACCESS_TOKEN=live_Q2LdeHxwoN4zCemo8Ur7X4OjjWZrPmdyKAoSBkZN"

const jinaApiKey = "jina_79ac1f07a2491051515bc9f25e69ea51H-BJgzW7yY4DBpjeAf1BUuXM79oO"

func newRequest118(req *http.Request) {
	req.Header.Set("X-ShopifyToken", "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")
}

const awsMwsKey = "amzn.mws.35704f20-4b8e-44b5-ac94-900bf834359d"

const azureStorageKey = "9w+wUZ+MMdGAPg7Q9N4OE7nioVGSTwvgsuk3SSQ4tQ5Gdr7urIChVQJmhxPL9DLPJyvNBKI7fcpS+AStjZh+bQ=="

func newRequest121(req *http.Request) {
	req.Header.Set("X-LangsmithApiKey", "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")
}

var header122 = "BUGSNAG_API_KEY=a360452ebb068d035f4b6b50132eaa60"

func newRequest123(req *http.Request) {
	req.Header.Set("X-UpstreamAuth4", "sk-admin-PoLUswFD5-xsYI1i2tp6npa5CwEhVAYinL2t2DMmEokRsH42GbbANBcHvOE87O4PkH04_SCnjYRQq73PMvaaWvkUb7zJVciUhvNTQxl9Zqel8oxsA7MyQPWbt-meTFx63IpL8O2_3Irrp6eK1xWuv4w_GtQD")
}

var header124 = "AZURE_OPENAI_API_KEY=66895c336af3c931f502fc59c241c953"

var header125 = "SPARKPOST_API_KEY=2d5d642c101456e165404e6a39f1732db5ea30c7"

func newRequest126(req *http.Request) {
	req.Header.Set("X-Auth4", "glagent-2z8QxSPnbPR-OE4ZC0BtNXOJ22NmkiyujI26Q5k-rdr-kvQobT")
}

var header127 = "SOLANA_PRIVATE_KEY=maCjWKHudpD741RJ387ANpfcu24sTBqw6Fr3B24WFVjfz3AW15hSdof77GcNry2u18eDynWgiJHwwGXp9xyV1d8"

const easypostKey = "EZAKaAiEQw9s4BahUsdDuMZFIcvjbsUBuMoTg6X9qcN75Lk4RRQ0pkVTlS"

var header129 = "LOOPS_API_KEY=cec40226397e5e5367293e234d6bcc17"

var header130 = "ROLLBAR_ACCESS_TOKEN=7c81e10aa28136f8e636dd5ee85f6069"

const access6 = "fio-u-bVqBTNzmYkpTFR1vHsisYlHbmW565-OJ4AGkJI2IhkbnZJV73Kq8IZh0Uj1DyBud"

const credential4 = "access_token$production$yos3omx40eq9jutz$b3ee407c6eb725db25b4eb3c44be943d"

var header133 = "curl -u admin:OJbT5CoCFex2XZxs"

const gitlabToken5 = "glpat-bzo0OXUxCnU6NHdoY23GmhWcRKczL8XsLkl_EfszEA.01.161fa5ili"

var header135 = "ENCRYPTION_KEY=9657d4469d08de0619748d2f73540ef8b1b756f595bb101a6d30af29cc6965cb"

func newRequest136(req *http.Request) {
	req.Header.Set("X-KubernetesToken", "kubeadm join --token dg6cax.hgnosckfyorcsn9w")
}

func newRequest137(req *http.Request) {
	req.Header.Set("X-AzureEventGridKey", "atshFM5MeGpu8RFAZ+A2GpTFNIJQw3kuRAZEGIuiXGE=")
}

var header138 = "_gitlab_session=95ac5ee832799adedadf155b3b69afa9"

var header139 = "ASSEMBLYAI_API_KEY=9b9767a9a972de14d5e07dfe2ec707ae"

var header140 = "LOGZIO_TOKEN=jvgkmxtkbjmexwqqWKGJLYVWVSSGMLNS"

var header141 = "JWT_SECRET=i0btTDndOO4uRFbCCjvvJZYYotlussaG"

func newRequest142(req *http.Request) {
	req.Header.Set("X-Access8", "sha256~milkUM85uO91sszv6djQ7b_wWa1ZX6lYemzfian0ZYr")
}

const googleOauthToken = "ya29.a0CEDai-BLmnqj-meLk3aAdTteqi1c_AjFqpeIcsM4RJHk2w-LWH-jCn75YE06zojGsbhjcclLUT4cBik4eYZgR65rXOPqQlabw_juac61mNoLJ2Y5Xbq9mklWE72rUyaYOK3gUqMIZBOI-2tCnE0aPq"

func newRequest144(req *http.Request) {
	req.Header.Set("X-TypeformToken", "tfp_qpYlDpQpihvtFqN5yzHHPfUkdn2tYA-D0XBYxQ1R3T2vi07HANmRjubPxEf")
}

const prefectApiKey = "pnu_cOCUFqyTax1dlFnQyCqg9qhK8ovwZox7Y48e"

var header146 = "client-key-data: LS0tLS1CRUdJTiKiZ5J/K0E7z0cLdIL+8Ocs/zQz7UHWMROyfvWRTe7PqfQvVsIE04yzGXq+IiLN0US0EPKaPXi+9N9XrfyOI0L/uUGge31k7xp757jPPk49jA2Rc43z5v1VzwMokHwnQsUYcjvqqbcro2iUJV9G/CImNRCRmxganitASucIUiDL4+/F8LYrUdJVYfOwjvUU/gxn1q0x6SRxwMTt6YLj4TC2try9A6ZIPhisOptNb5H5V7qbJMpl/C9HwNkLdasHelvj5Jj2jGBTaGvc9yWnP+RggeU8BEamapde83OlRe9QtP/pF9OitEVzepjpqRFKxTJF77I/s8KhmqeGuYc1kHK3+k2+JZWUnmenEBh/hzxcKQ0uQo4NHKTVMKTNAX43wd6CoYxf+HeJzRs5XQ"

var header147 = "MAILJET_SECRET_KEY=a26ee365a675c3627bc737453ea00084"

const sendgridApiKey = "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"

const credential5 = "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"

func newRequest150(req *http.Request) {
	req.Header.Set("X-RenderApiKey", "rnd_ND1knCL3bNiBy6JiGkBGDe2ESBFbMHgb")
}

const dockerToken2 = "dckr_pat_1qO2z6L11D-7m52GhC949w9B9ey"

var header152 = "https://chat.googleapis.com/v1/spaces/AAAAGui4puD/messages?key=AIzaSystcWewKxi3lA70J7KG-yALtzyAy3bppPP&token=f47vD46dZPJfaGmpP17mABKJZbYLuhb_hZOTVJsb8jT%3D"

func newRequest153(req *http.Request) {
	req.Header.Set("X-TrelloToken", "ATTAtPOzO81VN3kcO0Cs20TcHaJbUxDBefVjoCxzd7aP9L5OuuwhujwzWRUeee1CDdIW49127923")
}

func newRequest154(req *http.Request) {
	req.Header.Set("X-CerebrasApiKey", "csk-joipxpj2cuv8qkwdrw8kwogzxwqwi5i3b9awpl2vczoguh1q")
}

var header155 = "GITEA_TOKEN=8279ad19f10cd7a332b7c1834c82f3ab8296d0ab"

var header156 = "SNOWFLAKE_PASSWORD=pQVRpeVGVykrEk12ctauFcv3"

func newRequest157(req *http.Request) {
	req.Header.Set("X-Credential6", "lin_api_F8mJqbkDmId3u9NTz0Tq3PXanc8Ina4SzsRArLk8")
}

var header158 = "STABILITY_API_KEY=sk-26rwtJxZObyQ2OYZRAUKb6A5Foj60PrZzTb2pILQ2IY6cCVV"

const tencentSecretId = "AKIDUICREZGuoUacAwCTgEl1oYvzP3QhK5VP"

func newRequest160(req *http.Request) {
	req.Header.Set("X-ClientAuth8", "sk-ant-admin01-eGdGsEn3961pf8zp3xTLoYEt1CjeP892wHvD4_NDBSjrokvexseu2tL7x7aeZM8KFWjzSmWaIJ7aAMmnQ36JJ3-jOkXREAA")
}

var header161 = "INFURA_API_KEY=aea1293275eb81a3563ff6fa0e105183"

var header162 = "SCW_SECRET_KEY=a559ac06-b0df-4c08-aef7-bdb835186ce4"

const facebookToken = "EAABj3oj2tlrCcKmgVckHjT8ET6whkoWQPdD0m1LNYjEUDlZAMd4zqxniVptlDTcRqj4gwz3uBKZAXlthDgQUeT78pdWeKj6OV95G8plmQt2advs04cJdbgH2thK"

const atlassianToken = "ATATT3xFfGF0feprqQ9RGxRkjV7f3gFbnGOxAiGvlkjNG4IdwU8c_zDg9AWPbqBwVhDcO0nBBl4Z0jdGBYCA9qjKZ4_7gWBtiO_myEmgoL0hlQWQu4CROeco8mW5-D0w0SlF5y4RH4e8lqcl5EwkRnaO-cenP99KbWlRi1fIdezjNRrQyKJbsP=EF761371"

func newRequest165(req *http.Request) {
	req.Header.Set("X-Credential7", "sk.eyJ1Ijoix7ytHT-eeCJQI4C5Y5REToqK-M0N_XQG4493ZgrQ.kUhwXVpYcDG9RSCnA17lvo")
}

var header166 = "MANDRILL_API_KEY=md-kAMYO0JFAu089hVD-uHvYr"

func newRequest167(req *http.Request) {
	req.Header.Set("X-AgeSecretKey", "AGE-SECRET-KEY-1DD7N3R0G3M7DA8T8Z2MACCP5V2FNP5SKVE62L29CGUVQANMD3ZYS0PSJLL")
}

func newRequest168(req *http.Request) {
	req.Header.Set("X-Auth7", "sk-svcacct-OH7OHpSJC8_O_T9RMXIkhX3uaWIiOeaWDx3T6nExrOAos2n4YTn_u6yf8gDUGQrxIZWJG4Gikzcsr9_gSD49PEwoXNNTDqQ9BKY43vd91taqKGNwhjKUYhQUttPbBARBVNIyVD5B_wuP9trVSfBb-6fUiElI")
}

const password = "sshpass -p ArP1H9ykkzHgFNXt"

var header170 = "OCI_AUTH_TOKEN=vRbPNKe0c58sfPQEFd59"

func newRequest171(req *http.Request) {
	req.Header.Set("X-SquareToken2", "EAAAKRQMV4haHjS4jtwMVX3t5t6j7MKrT984uqru1CwjX5kS_wsDrTCeLyEGxjj2")
}

func newRequest172(req *http.Request) {
	req.Header.Set("X-RubygemsApiKey", "rubygems_42e984e43fa360c1db0ac88d6f454c50798a2a9c48b978a5")
}

const credential9 = "glrt-t1_bzoxZGZ6CnU6MzNzOW2S0ZKq_cFVxFzMhjHvUQwvEA.01.16170u3fl"

var header174 = "ELEVENLABS_API_KEY=sk_931f6e24a186e92a9c32d75da4d1c98837f6bda7db7d6ce6"

var header175 = "AZURE_DEVOPS_PAT=bnsqudqxza3upihisqesfqwkbyhyiyiczvw7ewi4yzquhutyqmx4"

var header176 = "Authorization: Bearer s4dvGpBwb7P79EER1fU8HvD8MLkuoADNwJ40Y21I"

const openaiApiKey2 = "sk-proj-utTmcEwvIj6c_WxcQXUOAZfps-eSa5PeddeoR24drumj-QiUK2jr8OyBHoJhkmFYwSXR9goqpnWc7-4GwRUFTYay2tYUWq_KnOrpWlk1k9Yx-hBhEJ3A78_tK_5-sxfAL-KEMeDNL4MzTkbkYzhvSBON1z6z"

const honeybadgerToken = "hbp_KedFJQcNlBswJTwKF3thPUPMFTb7MMB7dXNC"

var header179 = "RAILWAY_TOKEN=12115cbd-b098-40a7-a90e-a8e1497c1c6d"

func newRequest180(req *http.Request) {
	req.Header.Set("X-ClientAuth10", "figd_jxRWdTajX4QK2po9SBBywQ1xQiATQ8MbMBDkEmj0")
}

var header181 = "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=OLJvpyZPpyC6l2wATSJx5djRI24rcdnh3ZR4Tw8C+LQD5RLHyW8tqTd5sc+ebVsZ0dumlBEtZNSrVmBzEmx1uZ=="

func newRequest182(req *http.Request) {
	req.Header.Set("X-NvidiaApiKey", "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")
}

func newRequest183(req *http.Request) {
	req.Header.Set("X-CloudflareToken", "v1.0-d638dafccf441abb76283da1-933cc18583dd9aeb7ba7492ae3f382771360529a082787b76f7d98a336bf89ecc0c9abe298200d77d1ea097020366cff73646a8aed8fa618e2081a13ba96fa77a4108c97a653696f10")
}

const upstreamAuth7 = "duffel_live_uvODIvKAIBz_rgs6jRmSctn-AZUEoVFaWNzi15NNue3"

const githubToken5 = "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"

var header186 = "HEX_API_KEY=942c18523bc9193aa12b70d63f10d065"

var header187 = "WIF_KEY=KN23EVn1MjBU9yneSstcaabyLhybJfcz68hS6hij1uX7LsbWuKgN"

var header188 = "CLOUDFLARE_API_TOKEN=TIjFGugaK613Q0DUeaD83OvJ5j0969s-1l34wsgC"

func newRequest189(req *http.Request) {
	req.Header.Set("X-ClojarsToken", "CLOJARS_gumlmlajpgp3zb33ziyp1xsde6hy3kcy5aufkt0ujd4vcnnnyrq9gjgx714e")
}

var header190 = "PLAID_SECRET=fbcc49120b5f86e80c77a25c3a755c"

var header191 = "VAULT_TOKEN=s.HxbjNHGPwI0BFgbfDzQ1YN0z"

