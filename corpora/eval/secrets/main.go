package main

import "net/http"

const credential = "sJJDFH2pZ46AtAa+pagkVa07JYfnLfoumAIoTEjbvST="

var header1 = "GITEA_TOKEN=990f0a1fba01d31f4e40d679af1606cc50dcf7e7"

func newRequest2(req *http.Request) {
	req.Header.Set("X-Access", "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")
}

func newRequest3(req *http.Request) {
	req.Header.Set("X-SentryToken", "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")
}

func newRequest4(req *http.Request) {
	req.Header.Set("X-AzureKey", "3ohBm5OdGHftqwrMubxnlxEDWK451djxed5qnfOjIGNY6RZz2ZzgJQQJ9HlLZGL9pGeGyjWVnCAUWPHOr7Me")
}

const tavilyApiKey = "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"

var header6 = "AZURE_OPENAI_API_KEY=97a387a5c4f89d275dc0049021d0f132"

func newRequest7(req *http.Request) {
	req.Header.Set("X-ClojarsToken", "CLOJARS_tcge7ksdj9mi7vftkhk5iy6sb2qlhlxx553me2p1mocnrf92bkj23jbqtdmj")
}

const resendApiKey = "re_WOuCVuG6_MoQTNFi4AsLJDmGkfHP7laQp"

func newRequest9(req *http.Request) {
	req.Header.Set("X-Credential2", "sdk-de348487-f3a6-4909-a978-287f7b235ed7")
}

const githubToken = "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"

func newRequest11(req *http.Request) {
	req.Header.Set("X-ClientAuth", "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")
}

func newRequest12(req *http.Request) {
	req.Header.Set("X-AuthressKey", "sc_UxA5iulycOe6.oyNZC.acc_pHnDczIR6WGmjxh71fmw.iADYFgLjp2GAOdYREQz5Gvq1sP-rdaNqAaAc3n0g7XHcoLi-D1CJ4yzlysOa")
}

const auth = "lin_api_Ar0IqJqlB2zYouYuuXXOk7yLwdhqtK0JTlLTm8e6"

var header14 = "//registry.npmjs.org/:_authToken=2bdb8a2d-011c-4676-ac07-bfa88f8b0348"

var header15 = "UPSTASH_REDIS_REST_TOKEN=AXXoEq6brK5qLmce_9aJbhYdtAcwQU3xepshKGj1lo_GaOziJx2k7B-IJTNROl"

var header16 = "WIF_KEY=KjKUuGTUmxFThK8P5Hr7G1i4sfNbLrnHhXezEszEuhVRxCBxVuHy"

var header17 = "DEEPGRAM_API_KEY=c72813eb961c07dc144f644876be1b160337e369"

func newRequest18(req *http.Request) {
	req.Header.Set("X-Credential3", "live_c57787728ff0f052176f6b61d8f3b36d778")
}

const gitlabToken = "glpat-bzpicWc2CnU6NHJ0dGplAjXN6UCf1INJMu7llULJEA.01.160bbtiop"

func newRequest20(req *http.Request) {
	req.Header.Set("X-SquareToken", "sq0csp-6kXYvKf31fTuh7iPEdqCzkSKxd4ZzYVz2Y5fIvyBOId")
}

const openaiApiKey = "sk-svcacct-hQOK6-z6fcyXa3IaHrS3se-z4GgiDxS4-6Bd9W3MwKMh293BDDsJ_ATLQoce2f1uIwjlrCylpCYy5kn3cXRWYauMlFZB05nEH_3URO72sHLRP-g0ju9vsj6fQZj9LbhIZwYjJqAoyHihD2_eQAaMzIhqhX66"

func newRequest22(req *http.Request) {
	req.Header.Set("X-OpenaiApiKey2", "sk-admin-immi_bwlPAij2xpxbWIy5Hy_arSd5_7UajUX8ocvRZFhKwd4nLcseUbmqlO2G6oZE0LZdHBzSF7IjVRkIy3mzjx2O74-aO4TE8Q7JyYyK4f5Xc25_bcEjs9hWlfpHB8GNPOF-uSNQFP6rVq4ib3qlbPBOppq")
}

func newRequest23(req *http.Request) {
	req.Header.Set("X-VaultToken", "hvr.YoQ6KPU5c6XITxDGIWtwqHcfhtrfu8")
}

func newRequest24(req *http.Request) {
	req.Header.Set("X-SlackToken", "xoxb-121404572781-7667225167952-vdr0keK9f7oLZCtWOGoUEGhG")
}

var header25 = "LINODE_TOKEN=d04f4df174cbf3f99ad272467b7d9efe2dfb8ca5db3d9971811245028c6b45f2"

var header26 = "KRAKEN_PRIVATE_KEY=Hn3ngPz0kA7fU7PvyF1d3tnm1UEOeqlpro1lziWe2kSAVhCazR69/gRXEPYYBNB7dwuFuD8fL8N/nSpFl1UcAN=="

func newRequest27(req *http.Request) {
	req.Header.Set("X-HubspotToken", "pat-na1-da9686a6-c5fb-4802-a42d-f2670e3df032")
}

const gitlabToken2 = "glrt-t1_bzpqc3RxCnU6NWozMm9mBbnghYVThGcQWyx_DulTEA.01.160t71g4q"

func newRequest29(req *http.Request) {
	req.Header.Set("X-UpstreamAuth2", "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")
}

const twitterToken = "AAAAAAAAAAAAAAAAAAAAAZ9MNKTBtr5ww%3D0Hu0qt54K843Po1tFbAtAKNhrsgXwwXjUZJtlpkNqZ2tqPpsPVFYsgo8Jy6ZhBebJAH8CLJl4A3PJc5lqtsd"

const clientAuth2 = "sk-ant-admin01-q_LyAU_kMz2p0YnCDnv3D_OX7QFdRFqWRMFDm-Yr7YVL9FsINMOoANF2L5Vwxsb7q38mvzjBxv49PISEilyiFHE5bujm4AA"

const slackToken2 = "xoxs-0255334985-9086186707-4254070176-56152e502db6c8384e60e3b9a69fd86d"

func newRequest33(req *http.Request) {
	req.Header.Set("X-LangfuseKey", "sk-lf-c70ee03b-58d3-4cb3-afd8-9607f0088672")
}

const auth4 = "glpat-dOXmJgYLZM4bdUyKOqFP"

var header35 = "PAYPAL_CLIENT_SECRET=ETeZIwYihq6WmrL_qgUHMqlTEfRi_Lu8BBCsuIC_RKYLRWRSkIQw7WB00q_21KEDTQh-mjHqMeJjop07"

var header36 = "BINANCE_API_SECRET=4gFG6l1eOjFmBUvruclyQCIhU0XY6tSFFJC7njfMB06TNQszhPdOraSDGIhlJsIQ"

func newRequest37(req *http.Request) {
	req.Header.Set("X-FcmServerKey", "AAAAs-YCyAN:APA91ba29pGhQ81R_5-CCFgz68CdENaC505wo6sj2Bf4qmXycSlPqig3qyo3AADVeMHuRzaqb76zIos_iTdqSHYAZwtViymrCaL4Dhj4qf8ve5ivEVNTF_cM9Cg3N19o0L4w6Tu74NYV")
}

var header38 = "Authorization: Bearer 9DYQewxlXe7eDHLtqjrlUHUGnay6H3ivsETUnbUu"

const upstreamAuth3 = "duffel_live_dmQD2f3frHxX4fZSQM73hh8tiNBXlLaBdiDs9wcVzkW"

var header40 = "JWT_SECRET=vLe1hyseVfmQEkbOYMi8Nd5qeTrSe7Ei"

const jinaApiKey = "jina_c4059afac755777add6ab02f3f708958D_EsmM5E1_i_TYxIi0IEYUcB-A9J"

func newRequest42(req *http.Request) {
	req.Header.Set("X-BraintreeToken", "access_token$production$1o2q8pc710ts1rvx$a236a0c0178edd3f4aebc39218140be9")
}

const cloudflareToken = "v1.0-139846a997b806c7f71b6186-1666b911f5e04ffa28512c901f888fdfa1fa83cf95a5858e698999f4c76a4e81b3d270e309c5a1583b9f26cfa7550d4fb06dc47e9c4ac7e43eb0eac94578b333eb328c876362b37d73"

var header44 = "Authorization: Splunk 5a677842-de3f-4d68-a30d-fcb6c5346891"

var header45 = "aws_secret_access_key = 75vq3atdopcEnAumOq3GgjYUoRwS+Fc6wPkoYyGC"

var header46 = "SOLANA_PRIVATE_KEY=YwQ6F16shgJS2X4nuef6RnEUwBAgRx35ybi3JmPegLoYsTCaE2ytZgbe9kTzFch93jwd1eNjq6cBkaxMmqwWR2m"

func newRequest47(req *http.Request) {
	req.Header.Set("X-AlibabaAccessKey", "LTAICXWZF6oK6xywSZ75g1nh")
}

var header48 = "SEGMENT_WRITE_KEY=sCc6OOTT2DcFiMmUTc5qs7dfHObL7ryS"

var header49 = "OPSGENIE_API_KEY=12367774-f579-4a81-a023-c4704c1128b7"

var header50 = ""auth": "HRBJE4uKjt2CGU1sH858fpN0xVbFyAvgQC0Cq9ev=="

var header51 = "SPARKPOST_API_KEY=2a2afbd89b750638df0658688af0111833b2c423"

func newRequest52(req *http.Request) {
	req.Header.Set("X-AnthropicApiKey", "sk-ant-api03-YeJ5vEcX6xdFZ4_6i4AAa62PVio3wFyjDuNGV7JePlEB1tvXidczr5oWnch3Eklo7RsJV3uHcf2CW_xPqGvKyKJWVVrkgAA")
}

const frameioToken = "fio-u-ifuL3S_PmQAxJR1E-8gZwgJnNQoMOHWxlPbB2k7971kVDYRQBuo2r9m18qZWWNTj"

var header54 = "https://hooks.zapier.com/hooks/catch/46714382/ev9wqgz"

var header55 = "MNEMONIC=among actor acquire ahead also adapt acid ancient actual actor address acid"

const gitlabToken3 = "glagent-5PmlWhTzO2VHqLG8yarSP8iM4d0MrF89ov9T1l2IAVKXSCE5o1"

var header57 = "ENCRYPTION_KEY=60043f17f49e176bac98f6988b2bd6b7e23bc813e6af100e93d0f40b3ed86987"

var header58 = "SNOWFLAKE_PASSWORD=wyyArcHLGpQeYVrrKrwRKMxo"

const adobeSecret = "p8e-cKL0jAnGwNt1kfk43Hl9RrgZmRNnN8hn"

func newRequest60(req *http.Request) {
	req.Header.Set("X-OpenaiApiKey3", "sk-proj-5byo03N5F-yhBkCAB2rijXvBm422ODDLktvTCAO7iERSahsMa7WOhAnlpV4W9LSdi2nZcvfZa_LoZZArsuWljTjw5QVDvNOOLpUKj5yFta_UlKrWYzW0lH289bzcNlVKcJWg35zwJfUPgVYCXxGcd0gAP08x")
}

const notionToken = "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"

const password = "machine api.example.com login deploy password yNnZsruu8kmDi3clI0Xv"

const infracostApiKey = "ico-xRedI4HsDhDhDrKQVBlzEBKbCpRCM2ft"

const twilioKey = "SKfe18ba0bc5aa34ca0cec0e2047b0f029"

var header65 = "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=IUvBu01dtgXo0UJoLLY5eH5oKkdxnd10qZmgQ42UWRE3dm5538hAFtstIFBBQiu99JxaJpjBZf08N8klnAo1wX=="

var header66 = "AZURE_DEVOPS_PAT=6uic5c75xcpu6sui2mntfh5nysvzfy44fpdhtcrh6atjy6inw4jl"

var header67 = "STABILITY_API_KEY=sk-79yyTra4lm5Z1zFeOHv4dZniIiJVZF0yfNG4xWIFvvcovunx"

const rubygemsApiKey = "rubygems_388a58bd2a2af5fb90e4ac6eb2567b50c5cf1b772b12ba0a"

func newRequest69(req *http.Request) {
	req.Header.Set("X-AgeSecretKey", "AGE-SECRET-KEY-1Z6ZVL3UY9GZCWJR7K2C6RF6E4JHPP2W34NJW2QU4XJ80SKWL3D8SFRE703")
}

var header70 = "INFURA_API_KEY=1e5f5ce86f81cd3e35c3a05778ff48de"

var header71 = "VULTR_API_KEY=J0LJTNDNXK8CDU533OFQYZU08LOH8I825F00"

var header72 = "TENCENTCLOUD_SECRET_KEY=UIXrcQHoeQMU5h0NpbDTJzSD3Ff6o9FV"

var header73 = "SENDBIRD_API_TOKEN=66abe64a2a6b73788453a1e5c6c2e8de96f73680"

const credential4 = "NRIQ-OFE7PHuqKsopXsb_Lz3EapJvcSUqaAHy"

func newRequest75(req *http.Request) {
	req.Header.Set("X-AzureBatchKey", "D1de0ZRGXbF1DDycHHr3TfhfqL3f6Qg6LXEcIOPH6D7NSwk1d4lSMkK8h0k8Jvr7rsn85oDzZwxZ+ABabNQcvA==")
}

var header76 = "COINBASE_API_SECRET=p8fGMtolxKxxUufTBYBil5r4cyPe8GyOnazCirivQgQntGkbb5fs2Fq2TFCj_5ND"

var header77 = ""private_key": "-----BEGIN PRIVATE KEY-----\ncQNvKeV2db0Vgtp0u6pPoJGqDCf9DA9ewfxDWM4Y8NRsPEXZQveKWZqL3Xbht605\nZZtSPdodJOzvy/7Iyg9xaDoS0npFbhb1DZjU5lR2nREyoOB0IxhczsjXKOix5Ivr\nPax+AVR4HkhI1AjgIFGDTsNfW2ztC8E6SPvyoD1ZoPpSsAf5iuD0zH89TK+Ef9Fh\nmm8gJkwL16qpBrk6/d2M9GvXiHRHJ4Qc6SIMJlLNAMPqrAGtTOR6Q1PaJ4tycMeA\nrj4M7BE7QiMA1GGH8Xf2zNwoIJXQOgZp7NSaaH1CURuzu7Hm4n2WypVNfB9d/I5B\n1GCb92TQuy41M/xw5ngdtFIkEh+FqekPK8n0dxFFj9Le2FnplIJIBOAo0p3KqphW\nyX+5zOU/JMKxxElcu1tVSP0VEk9OfuoRyeFvlJFUzx4dc5Usdyi5hDQ6YnPZ9Dee\n1qBHhJ+n/H+yjoNnLOgoti+KPXRyH2pj\n-----END PRIVATE KEY-----\n"

func newRequest78(req *http.Request) {
	req.Header.Set("X-Credential5", "oy2oi4qgxlj3l6x4ctxaec2wj7kqpe7epk82oypouqtuka")
}

var header79 = "SESSION_SECRET=wvDvwfewQcwfNDBUyfVjQE19e4t37bK5"

var header80 = "https://chat.googleapis.com/v1/spaces/AAAAzR_oG8U/messages?key=AIzaSyCOqeVy9OD62DCq8bYSXCy2TaLW7pTtBjn&token=m1xqL0a3_4xap2C1Z7pagWgslzQfgZYT1ffi4CjGHWW%3D"

func newRequest81(req *http.Request) {
	req.Header.Set("X-Access2", "tfp_DerwAvJTB-Qvvlowbcu0KWleutE2A23e98CQrO_mFTSChP-PHWZMekN7_Rl")
}

var header82 = "WANDB_API_KEY=efea119fbfc6f8287e88b66564ee07b78f30684b"

func newRequest83(req *http.Request) {
	req.Header.Set("X-DopplerToken", "dp.pt.h0N5UD6rJJRwQpQ3ssJBFXyLYH2njKj7TrvWABN7Ugn")
}

var header84 = "client-key-data: LS0tLS1CRUdJTiQ6RON9l6Qx6rltIJfB94bn0P+90q6k5zsqnbMl78s7hC2/rxsN1deTqMLQg0l4AtB8vLUqAvklUhuuyrDd3R1YZgXA4NygRIZqRr/ZMHQG1Cdzy7hg+qRUtYTjO1a5ZWelyujOkQA3SjornAx7M4k4fJPezGWcAYkK6MPJVNaHmGPzRDkChMQMFqv7a0Cu8N8gxg6IKwBA5YtTfQGoMO4OTL9WOsTV0cZvT7uY08XyoQxPIj3lO+XIkOREc5AkRRcJ/RwbqPHzceiUdy5+lZTKbo4pN7EOlJfV3Vw+vXA3fjFrrxsOvpSNA4o32Xz5UPtrqYQUEPrYZ+9CT/u6DxLOJdMykLYl29V66asGFE7+EY+pBpazRvRkmebbwyn1qdVakM1h0zmVK0wTjK"

func newRequest85(req *http.Request) {
	req.Header.Set("X-NewRelicKey", "NRAK-V5WFQFNN6Z5PF6HQUOUIZZZS7XN")
}

var header86 = "ALIBABA_CLOUD_ACCESS_KEY_SECRET=LeZ0sfXc9s5BpoGR6IJ1br4whK5VCh"

const azureFunctionKey = "jfSmlLODYl6K1Sh_bG4c1ht84dfP_wt8ZOkLFpa7-HkwAzFusAfYIA=="

func newRequest88(req *http.Request) {
	req.Header.Set("X-ShopifyToken", "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")
}

var header89 = "DD_APP_KEY=fe95aa6e84895c1588ab0a3cf25e3e0b75f45ac2"

const azureApimKey = "4Rr7DYaGOlKbJxOf8tLEfjIcaBulzamJGiiar8jT6JE5OxkB9rQsSnb4NdOvNLFFBv+qTGgHo/qXAPIMUXGePg=="

var header91 = "TWILIO_AUTH_TOKEN=692d25d9bb6076833e5eeb8bb17a9799"

func newRequest92(req *http.Request) {
	req.Header.Set("X-KubernetesToken", "kubeadm join --token f3887l.nv3dvnrfmhv7uyzv")
}

const nvidiaApiKey = "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"

var header94 = "Authorization: Basic kEseAXC8aq+GwafyBKdZK6ZJ/rGcglrq"

func newRequest95(req *http.Request) {
	req.Header.Set("X-AzureStorageKey2", "iwZTSnUqEgb0fDFIkHyGIPnoBdN/JHZLy1SyBXFO9flZEplNI5HHTR4Cl5L++yJTO2HBEZooViB4+AStms6jWA==")
}

var header96 = "LINKEDIN_CLIENT_SECRET=2Mp0s1yMsKebl3aK"

var header97 = "DD_API_KEY=bbb615c0f34d42cd87b18102f9c034fe"

func newRequest98(req *http.Request) {
	req.Header.Set("X-EasypostKey", "EZAKZqZsBYwC2cIbDjUoF7tO9kLm3FercuX1oN3VfMNBaCULyScstHTSt0")
}

var header99 = "MONGODB_ATLAS_PRIVATE_KEY=ac6b83eb-e354-46f0-ac1c-780f1c9dacd1"

var header100 = "https://acme.blob.core.windows.net/c/f?sv=2022-11-02&sp=r&sig=iVqOP0L8ZROgCXWlmozBqR7m7DOFf0cCVKuvWsBY2F5%3D"

const circleciToken = "CCIPRJ_G9tgX1pCMOZFvsXfY2I1wG_a4a5c55985e7d580aed2573037f6aaefa837a0bc"

var header102 = "MIXPANEL_API_SECRET=998a62bec80664a74a5a3bbe8a768477"

func newRequest103(req *http.Request) {
	req.Header.Set("X-AzureCosmosKey", "jmbmzVtjuU1CJ/0kJSvnMwmwlVs1t/W1GQGnLNtjy9mPK6Y8rWy2jkELCa7wq/QMoP/9DP/Ue/cpACDbH0FOXQ==")
}

var header104 = "TWITTER_API_SECRET=6FzF8Rgc5FMCTDKSFukXkLfCnLKIzfOepDl3GgynhEtdtr4qrY"

var header105 = "MANDRILL_API_KEY=md-1NzVgeWnVkOJVjD_rEYnbV"

var header106 = "CLOUDFLARE_API_TOKEN=CyGiqjSwKIORjQGxAqBoA2Vl7QGw-buWV47UppQu"

const gitlabToken4 = "glffct-5QEJ-7SI-X8oDLkKmazO"

const gitlabToken5 = "glimt-iTe36t9U174VifMhmUkuO34-u"

var header109 = "LOGZIO_TOKEN=ulkhonvervgnhafbHPDOHGKHXGBWSTCH"

const credential6 = "xoxp-06559439391-89670938982-8309212220431-3914e6c25ee5e4dd98d4f2ae6bf7a072"

const prefectApiKey = "pnu_34Li8VcGco4ZYgYkrMt7F6SkLPL4u7KRvQx9"

var header112 = "GOCARDLESS_ACCESS_TOKEN=live_phNZSsAeryPlLCWsaqBDdpkQlPr4qdIx5raFgsrY"

func newRequest113(req *http.Request) {
	req.Header.Set("X-TerraformToken", "HGcWGahBv8xKlI.atlasv1.JYwRQvPZLMYmLJiLlHLp_xtPNX-iOlXHZGUsyEKwbAcYZ_zmlv3kunY7fzQVga4_XaA")
}

func newRequest114(req *http.Request) {
	req.Header.Set("X-HarnessToken", "pat.nf69PC8_lqnq8b0zO2WgU1.UoU0PwOXEby9RwnXhokDgVlS.A4pdNAwZss6BkAKBBbvz")
}

const upstreamAuth6 = "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"

const sentryToken2 = "sntrys_eyJZ81+6FqS7QK8asJ5os24Jeth87FDX6QDy8CRHxcNFfRWszJdJE6aRMTy4Y7bk7s2gGjHT33tHA50skQ+2/2lphIxVvJAnZLVRt/5_CxiH89Nd9BWOH5yV1hVhCwD6qcEcNrLCNRhQ8v3I0xe"

const firecrawlApiKey = "fc-ac802bd5e1931d83fcb1efa6ddfdfb02"

const upstreamAuth7 = "rnd_m5sPkV3GpJ2GO0sJXAB2Ba9dTIYA90QZ"

func newRequest119(req *http.Request) {
	req.Header.Set("X-HoneybadgerToken", "hbp_VYlXe2sDKSjWAKOa2Xtlwh3JZ0lvl9vDNFE0")
}

func newRequest120(req *http.Request) {
	req.Header.Set("X-ClientAuth6", "AKCpXIY7E2gtMIHyOAG2ouBGlN69J3lsYlWoe8ffjUHUJTa2jKaYZRHijdLfR7hlIrWRcJasA")
}

func newRequest121(req *http.Request) {
	req.Header.Set("X-OnepasswordToken", "ops_eyJx7E5/a8U8VDtDl4SPrWmZPz/UTjNew5ZKOslZbkAhtiP8+T6bKK5PdHqi39i6qS8LHJMEcF0VjsZfWDMjqCNf7Ht7SSjfU/4StesS1LpH2QaYGvqGKGqDBb0Q1yFvj4/7Q0GfBPl9m/e0XtmkWCZ81UIkcWnPmzFa8VV6qC5cUzvcbX7nX8gB5ThlvUVJhxH4hXXWGpvzHsh90mmkGMKsxGxvBHX++VUrqTeZKm9QM7EzgdK1Blaveplb9kcDYY8WLP3ebTn+RzzmDtFMuDSYo2D6ol0Mx/6aTkgOzUmBk7G")
}

func newRequest122(req *http.Request) {
	req.Header.Set("X-CryptoPrivateKey3", "xprv9s21ZrQH143K3SuFfSto3yie6E6h5gzd9RFfUmNTyuFoVnnJvyyuhUREJrSwHbp21nUuhDGj3fUhi22wfwhiZgjvJB9LmZ3rs25rxMWYYrU")
}

var header123 = "VAULT_TOKEN=s.dnuhgIFQYG3RHpioqVJjNCQW"

func newRequest124(req *http.Request) {
	req.Header.Set("X-Auth7", "CCIPAT_KTH9Q0InFemSdfmoNhkPwK_32b7918df30edcbcd0895b1510c260a9a56e59fc")
}

var header125 = "ASSEMBLYAI_API_KEY=ab52ed57716cc46f19e504d73ed2867a"

func newRequest126(req *http.Request) {
	req.Header.Set("X-Password2", "sshpass -p J2VCQMMatc1JOCtj")
}

const credential7 = "sgp_1ca665a66a750127_b39b733177262695078a85fabeb7f199e9a65b05"

var header128 = "LOOPS_API_KEY=e23b9ceccba50cb6408547e5add3451e"

const clientAuth7 = "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"

var header130 = "ELEVENLABS_API_KEY=sk_668de0946eff4135f8ecde95a57025b3f6f19c41129e17dd"

func newRequest131(req *http.Request) {
	req.Header.Set("X-GithubToken2", "ghs_h2wmB0zXOXRVNfHjrhWz0KzHYepjp40bgRJX")
}

var header132 = "GITHUB_CLIENT_SECRET=fd596ef49a05c4a23fc24d9c6489ff6c0af3d41d"

const googleApiKey = "AIzaumiuQZ1azibBQ5gmiGu_pEjkq8J7_CPnLhf"

var header134 = "ALCHEMY_API_KEY=GR2tT-8jIwSi-U2Lh0yzLMPEwDhiU1B4"

const gitlabToken6 = "gloas-P8kMv3YQQg9DF1IogvfYG2U_MdHZ8b39oHSlh-b0A0uNPzm7QH1ZjxLwhlgZXHGc"

func newRequest136(req *http.Request) {
	req.Header.Set("X-OpenshiftToken", "sha256~Hj1rtjY0R87auZMtIUPTLefqz38Sfw5dyCuBL2_ibJe")
}

const shippoToken = "shippo_live_dfd22f86fb229783ef6da6c499e3346c4dbf8e6f"

func newRequest138(req *http.Request) {
	req.Header.Set("X-DockerToken", "dckr_oat_bS-ohuaGTkeQjcbrSDVMp38jBKrytVVt")
}

const sendgridApiKey = "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"

func newRequest140(req *http.Request) {
	req.Header.Set("X-MapboxToken", "sk.eyJ1IjoiDl2MdpSyBhFlIOgHq4kkb3l4-HUBQbgyocAKIah3.9BlTXViJDw0tpwg-dyFiqd")
}

var header141 = "SCW_SECRET_KEY=05e6b392-6461-4429-a39f-e4c3d2f45f1b"

const upstreamAuth8 = "cmVmd8QZdkODJJD6UzXg0WGcXK9RQHZ5n3sQUpbscklaeXnLa86k9p4wRKRORlsD"

const vaultToken3 = "hvb.Tat12sR9-p5aHBhszeQCMFoMGiSA7KIRPxVPVb3AFiQC3R4KqHjMTbbh-OqSK8-GbzsCE6tjWYwy9krJ6WJaSPyzpvqipk_DtU8ETCvpTCSK8dHW0MD5QNa6Cfu1ithv3MAcXCq37G4T"

var header144 = "HEX_API_KEY=9480477320434dbad9af13d594318c50"

var header145 = "Authorization: ApiKey FXBouQLEhinjbrHkvSDLC1uT6fgO6Var0/0g+rlJL8rLvBW7UdY0KwOI9sjELKv7X8IiNcxKYJ0sM9K8=="

var header146 = "curl -u admin:ndpaHvppamGk6W8T"

var header147 = "CLARIFAI_PAT=d2d5ee735e6214a46fcdd17ac2632d55"

const atlassianToken = "ATATT3xFfGF0BQwNnQkifGBwKWGoF_HzjH1PcZJfz9vf02iNQADxVc-EYOLIzfI6cSPJFX5dvlMBQBuraQrcLaYfIBNUI6nejPG3CZL5vTOWsHQGra0YZOm77_qHW5vJFrtH_t4IfZttm5QeSz0lVcMeETpVk8XEAbhhGDfGf7o1KzOJWnzCv8=AEFA45B1"

func newRequest149(req *http.Request) {
	req.Header.Set("X-PypiToken", "pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogImFmNWFiMmMyLTllOGEtNDVhNS1hOTU0LTRlMjNmYjg3ODhjZiJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiDiYSy-bJCuvis0Cl_tRFKsgO6Zzd47C2YkiuAWoqguOQ")
}

func newRequest150(req *http.Request) {
	req.Header.Set("X-Auth9", "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")
}

var header151 = "_gitlab_session=ca556b0c8ee7d91160a17921dbe349bf"

var header152 = "OCI_AUTH_TOKEN=WbSfkrBEse36Y1uT68il"

var header153 = "RAILWAY_TOKEN=e9f7b3d6-6118-4fdf-a499-aa82e180b0db"

func newRequest154(req *http.Request) {
	req.Header.Set("X-ClickupToken", "pk_18663105_S1ZAX8TWW52M08490LR6GUJBJWH0H3DU")
}

var header155 = "ETH_PRIVATE_KEY=0x679a39098677be336dc15441fe2249b124ab4e6c5c1abcec71de0d3383ac5555"

const clientAuth8 = "dJMxzYAHQHHg+RjXZT+PBl/ppgjKef1GjAZEGEZkHKu="

const credential8 = "sb_secret_6fz72WbXSrdXuURyRKDaQZUMJiRpSnC"

const bitbucketToken = "ATBBZl2bDU0huDJK7Cz6VuTQqWWTZ8zZbKNz64C1F64C"

const postmanApiKey = "PMAK-9f99a1743504d616d4e495c8-aadd18c93e9fb2c68b7e6266989d9bce3b"

const googleOauthToken = "ya29.a0iCojjInOYsaDV_crtMKc8h0WuoN8vhl12qOD5FtkzwayEbwTh_gu3aXsHmOwmtVxgNIvt83rpV87Bx69-28RVMkrPfNaBzyX6JNZlYy9hIXKWXl25iTOe7YtaPBXxuaZBJNl5okQB4VS9WrvR2fApf"

func newRequest161(req *http.Request) {
	req.Header.Set("X-CerebrasApiKey", "csk-lkj3ny5qduezr3vbo266zhqhyi2n9hkhk0uax17h1w4l6v6u")
}

var header162 = "HUAWEICLOUD_SDK_SK=bdwulNPsdVlfYg46RwoIkNOowh5HQCRRWsYRJPDC"

var header163 = "JENKINS_API_TOKEN=114b08f24eb0174d78d4dea10a1e984209"

var header164 = "IBM_CLOUD_API_KEY=Uz4GP66xJT_O5C45pJFFOTNmCy8b2D8-CK1gsoicObLs"

const figmaToken = "figd_TcCv-hRDewZ22h7sCR5md2gO1z5nNxGmpILmXlDx"

var header166 = "ETHERSCAN_API_KEY=C141HU84FNOY82RNIWWO74FYJMHSEFDP20"

func newRequest167(req *http.Request) {
	req.Header.Set("X-SquareToken2", "EAAAs6fdP2DinydPQHnX7ac3KC1rTu512-9KFatdOQRb2Uf6V4uyW2i2uFuT1qhN")
}

var header168 = "DISCORD_BOT_TOKEN=M626iCtM4bs4taY2Tf8FgG7lfs.sYxmEk.2yqJ5ZZHpLJbNLo_jsqBWcfSTZ3lojUXI6NTxW"

func newRequest169(req *http.Request) {
	req.Header.Set("X-UpstreamAuth11", "dG9rOjLp0+4M+FoTsTGH5TYCfiqEI1+DufWp8Vf0H3T/LBTV5SuoV8ah4m3n=")
}

func newRequest170(req *http.Request) {
	req.Header.Set("X-BrevoKey", "xsmtpsib-03f4ba058561491f9cb13b15b2193b21a858683cf4edfb536997764f0b63c62d-QXl3wSNE2Y0r7kjr")
}

const access4 = "sm_pat_XVcgVO2SCapg3pQv"

const dockerToken2 = "dckr_pat_R5RhFWDGelDveTPzou8rop-K2f5"

const tencentSecretId = "AKIDbzNufRuaXPhI9ch1Mame9rykN6u71Mbw"

var header174 = "POSTMARK_SERVER_TOKEN=06e38bd5-4e7f-4ed5-af32-7142cb22306a"

const azureClientSecret = "C3q8Q~TFGXiqDEx0Pn2WT66M0vXTkyKKC1NxLjML"

var header176 = "SUMOLOGIC_ACCESS_KEY=9NbHbtzoKsIXQEpikztmZ3bNpRdPGKWeoPCmnwVb9hvgNpAneZ7i5KsU1ozlxZtS"

var header177 = "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=VzRsI1dTFdFbaFVfH6Md7PDO3gkaL8mRh9fAwT8p1LF="

func newRequest178(req *http.Request) {
	req.Header.Set("X-CargoRegistryToken", "cioMd5URlwPLaV0WqoLfFPns5gc6xFSy2ZW")
}

var header179 = "ROLLBAR_ACCESS_TOKEN=eb2f4ca76ce860652adb96b8819eaaaf"

func newRequest180(req *http.Request) {
	req.Header.Set("X-Access5", "pcsk_VaOq64_eQ0D489hat5rt0jByELxVKCLvZ5Wasjm2rUIckz1kq0Dp8xVnfdRx40fvwhyufaP")
}

const digitaloceanToken = "dop_v1_de7fbfc0c13993835687ea0b1626ebee33e2cb28aa25ca44187b528c89ec1eb2"

var header182 = "BUGSNAG_API_KEY=0057cbd7ed0bd43341fb52ade98b1722"

func newRequest183(req *http.Request) {
	req.Header.Set("X-DbPassword", "mysql -u root -pQMfvqrMXjdbMbOjt")
}

var header184 = "MAILJET_SECRET_KEY=8b8397cc98fae679971e3f7b748a4083"

const azureMlKey = "B4E5claktaWf7r8cyYfTfLUWbw9fipqAP99OjECmHua/aAFvILsRkWtOOTxKIR/ItoX+ORZZ3jEs+AMC7jA/gg=="

func newRequest186(req *http.Request) {
	req.Header.Set("X-FireworksApiKey", "fw_EggB4kNQuuWk3uZTP71Ccel1")
}

func newRequest187(req *http.Request) {
	req.Header.Set("X-ClientAuth9", "glft-3rwmvJkg3G_byGuRGUOu")
}

const upstreamAuth12 = "https://acme.webhook.office.com/webhookb2/6d620017-d4ac-42f2-a343-9d497e7973e4@bb077fda-094b-46c0-a4c7-f37327d66804/IncomingWebhook/tSSYAg8BgmiODBe7Qu18HtoQCc1k9xOd/3726c732-922c-4dfe-a752-28b00d77dd45"

func newRequest189(req *http.Request) {
	req.Header.Set("X-VaultToken4", "hvs.Nn8K790F95kE_HOAHUKA0UkQd3RVn0NJANk3IfPKK_xSIHrH0Mev1RpCzBkklP69ixUdsVTv17g5UNCwZ7NZul-K4cQGqe9")
}

const facebookToken = "EAABrN5RxqTVBHF53gRW3Xjhxm68VSmVCxAnqZKyO2Or6VRDIWMMVNP7V7zAp1iplCOSk5ACOSuP3rxH8j23FTA3u8MyfKJ1CpZsTTrKuBPqbLIDY7DqvF8jKbq6"

func newRequest191(req *http.Request) {
	req.Header.Set("X-GithubToken3", "ghu_bGa4eIx01sIJQTgQjvGedfiCVszZlT4gbanI")
}

