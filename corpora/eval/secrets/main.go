package main

import "net/http"

const razorpayKey = "rzp_live_BxNVz2OzQgdaLc"

var header1 = "RAILWAY_TOKEN=0eacab6b-89db-4159-aca4-ff9b85915f47"

const alibabaAccessKey = "LTAI905abtnwBkl0YpaHM21l"

const openshiftToken = "sha256~mot_llDf4PQTbUN3gmFVUgrHIf9CwGMQXHwnlvRP_jr"

const tencentSecretId = "AKID8HMT6bllCCmNeyNSTgdPoEl90hLbCqhR"

const azureEventHubKey = "OJME6WQ8G8bZqMOWyL1LjtaeCZS8DKEXp+AEhEHVYbQ="

const awsBedrockKey = "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tCZU2k29F032AXj1nys6wweH12mzbw2gyiZa/YtAaiGlBT3bdkMamZtIXpEdouxRxsHx/7kZ2rW6ml80cWLCZVhaq6R0rpnvKAYUtaSZQytA/BQ7FAIK6nQJqr0ekjWMt5aqYgvZCYnUr2mPfBTIzyu8yVZC3d/eBUrLpxmy6yXRV8c7OJjNX/OJrr8n/RKYgockspiw6G/zchP60DYU3zo0yAJ5wzxPjKpezr4aZLrAx8BNSUxAYDT1xHyT+VGdL44QJWKGYiRfguAyEUN+Gf/JOwqwFhlu2cycqXHEN465yGPllzYEEASDRxzd0/wCBjDhBTUMoxV9GDho4VHVCqSeiYncaoybNoWakzTT9YfLOC/pqq0jJtiWfsOSOIHOeGJqWn5VXPzIgJLsPf1w2TwGrxUWHllvdM5whQdqhy8d9SqnTiBRbVZAkwALc5hTuBXuORivWacV0ehf9r04HtWtnUhxc/zzQFu1KwOO0Q1Fv73LQcXMQysYYPpypGJW63t3d3brDWdeoFrrIrG+8IJ7xWL/g4wxstfQjH9Ouu82RwNaN+IHPAzDrGk/BEAFUMX/hQ1uWaP/vhSA5wQJEHZJm"

var header7 = "LOGZIO_TOKEN=gyxcwrqrxlsgfamjCZXSBRXQDFIHYAJS"

const auth = "sgp_c2c8c894b4a569b4_79536082a507a4fd8483ce58fbb2cf4be3c494a0"

var header9 = "IBM_CLOUD_API_KEY=0avlUd3DymEwiVgFxUhitsXQgx0aUcvxFl8BnB2_uTQg"

var header10 = "CLOUDFLARE_API_TOKEN=3d3hRa12eeQSo3rUbTo6Ytyaz5vrEVb0o75i-5OL"

func newRequest11(req *http.Request) {
	req.Header.Set("X-OnepasswordToken", "ops_eyJTwMD5DtZJWnIvCtQ0JuQ0aVSoEN+jeoQZosEVAqTarDR1HJU0OiGJNW2VITJk3KdUov9DS2jLUmYS6u16eGsuuLutui6x9+eqqEPKI2p5+o+q/KVd13YVrC3wnC21vyktTf0SUmT5FqEFTSiaH5Clh1mL+1zGCtu+lu6VPXIZWuU99rdeGybPsi4Nm+QF/FFRv+F/wxc6i/mlcK5ntcpwun5wdJrgPP0RJgMIFT8ANg1GPefEerHe2VxEd60pBij1odYRndOk89JmfWQd7XKkXLAt3D8sjFnR46IPfUbmL63")
}

func newRequest12(req *http.Request) {
	req.Header.Set("X-ClojarsToken", "CLOJARS_g14sqtpe3bplw7zdcpfplm0ffv6xopzqt0ktl92vzdz1907no4tc42pf6m44")
}

var header13 = "Authorization: Splunk 4484e121-6b58-4d52-ad28-17a194bde6ab"

var header14 = "SEGMENT_WRITE_KEY=OQhFLu3vHlPFY3uUHjsfmA77p3YnRRPF"

var header15 = "GITHUB_CLIENT_SECRET=f3addd3a9d56b5b3893948e68bfb93c181ac166f"

var header16 = "WANDB_API_KEY=b27e84ee7b014a206a56ddfd306471990da58e66"

const auth2 = "sk.eyJ1IjoiDliN2-Vnh8z8LVnM6v3FicplKVK6BKVi9w54BCaY.JX82_x26Z8XWW3sF8rTcAa"

var header18 = "TENCENTCLOUD_SECRET_KEY=vQh9B1W3fWfsjmRKRoFcWSyNYtWxDbbV"

var header19 = "TWILIO_AUTH_TOKEN=a8b08eff54643ab6a42dc78e992e85a3"

func newRequest20(req *http.Request) {
	req.Header.Set("X-Auth3", "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")
}

var header21 = "HONEYCOMB_API_KEY=vCJCIPMdoO8Vh1PKafrqiQ"

func newRequest22(req *http.Request) {
	req.Header.Set("X-Secret", "deploy --api-key RMRcP3UL9utZH083")
}

func newRequest23(req *http.Request) {
	req.Header.Set("X-SentryToken", "sntrys_eyJC41GhHPJA2Lgnhura07QoNDcikOWg79tbtG3QnlaWgpskCNawzaJf0SntX9Dy9iVKfCN4SLSL2Lbt8T8In2LLYnk7b3uL0GiLypM_HLl3qSRk7X4FlEOlwFqRnCi6M5OY2yia/wwS4X5l7w4")
}

var header24 = "Authorization: Bearer si98VdOsGNk2nmgvj6SvjaZRdLbVAlCOVKAHXwrn"

const yandexToken = "y0_AgAAAAQGhShv0q6gBvFCDhnpwKTwKZq4gdAbzokvAfSu8AsE_W9x4k3t"

func newRequest26(req *http.Request) {
	req.Header.Set("X-AwsBedrockKey2", "ABSKQmVkcm9ja0FQSUtleSB8eSJSdVB86bKECqOZqQP5eCIPIVnNkZa79H2M5krDRgRcCmcrdaJQupvTtnvuu+XRMRNMQ0uvGcmPlRxuDgwPwktoI5EXYj2PJ1NmEaKs6veL")
}

const shopifyToken = "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"

func newRequest28(req *http.Request) {
	req.Header.Set("X-LobApiKey", "live_1829f5cc5632530075b084a5cedb7f3d86b")
}

func newRequest29(req *http.Request) {
	req.Header.Set("X-Credential3", "tfp_tksB_Zo0MxWYt-vpz40nXmlW250DuMpq6-RLXzQJHaXX2KJd9W_sXa4MOZC")
}

const ageRecipient = "age1njsa94wy4ul9flhp7mgy5ct7clfgl2yf3c8ey4uc34stsgp2sfdqq37442"

var header31 = "STABILITY_API_KEY=sk-g4aHn7VTaKItzDaH2IRmwDnk6WkI5exv6nqKDyo5ASyoCvq9"

func newRequest32(req *http.Request) {
	req.Header.Set("X-CloudflareToken2", "v1.0-7ba2f67dc70f3d7e9230c819-cc731dcb95420d81a41a453325dac7b845884b0999e24d459c8e7438f67924306f72b49fed1c69b01c8025f47955c8b2717784eb5f8388fa519bd97de47ebaa1e1bb019c051c30a3ad")
}

const teamsWebhook = "https://acme.webhook.office.com/webhookb2/f3128554-3e0a-49bf-aaa5-e5529b1e4be9@98ef362c-065d-41db-a5e7-b53fb3069bfb/IncomingWebhook/6eUFeBV2G7EEk9LkKf8gxALANTCXiuG4/549aed25-58f3-47c7-a8ac-05526943d9f4"

const plaidToken = "access-production-35fa3c6e-14c7-4809-aa40-ddbd9e275a3b"

func newRequest35(req *http.Request) {
	req.Header.Set("X-UpstreamAuth", "oy2d5tmozgbf5ql432jqf1eipjrljawula9ao7yfev12fe")
}

const access = "cTarccmv3JFk3s7kOxvh3Q5vPcA2/VR45o8hv4VOi5fhQKBNxEhoXs5Muqy/zKm4+akAIwOGZQ4NACDb8cEUJA=="

var header37 = "AZURE_OPENAI_API_KEY=6964e60e404e46336232095674eae0bd"

var header38 = "OCI_AUTH_TOKEN=8hEJjylArhRBCwdUkDGx"

func newRequest39(req *http.Request) {
	req.Header.Set("X-SquareToken", "EAAAKjV9AZCCVpS4djoCy8DjQsuhONCXzM4epX8DGIfIdW16l5YMcF0a9fYkbo13")
}

func newRequest40(req *http.Request) {
	req.Header.Set("X-GithubToken", "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")
}

var header41 = "SNYK_TOKEN=5979afd3-aa5c-4e75-a86b-bed4421d6ea5"

func newRequest42(req *http.Request) {
	req.Header.Set("X-Auth4", "ya29.a01SBJQ9c--BOpK9hzl3ilmTBdbhakb-DrOwUlST71Ooyqn0D1mc1-fnDYeT_2TaDhFqUlxFUvihtPJTIOeLhez2IuMSx4VEizXI6x5_Sbe_fJ35Hm2j2KwWYcmf7Iq9wJjss-rC9UcG65_2JleNrf8z")
}

func newRequest43(req *http.Request) {
	req.Header.Set("X-ClientAuth", "hvb.CAXWt7n7fV92Tuu2wNa059CUV0Uo0eYIs5cqTpgqxaUJhszVpHqTh-nzYijYtgGqrr1MpQRntLHomNU9QI7eqE7BvQ1uzgFV3kQfuNgBz5wxrc4NR3F6hSbb9qPP1iwxx5ziPu_03NHp")
}

var header44 = "ETSY_API_KEY=9fcav6s8vjysehntrqxdyvqw"

const digitaloceanToken = "dop_v1_54d2392c4ba7128cef0ea2310d72baa63a81457a6bc18557b74a6f06adc638a0"

func newRequest46(req *http.Request) {
	req.Header.Set("X-ResendApiKey", "re_g7qfnb3f_rIqBmnbUAz2cqy4GuXrghwP6")
}

const credential4 = "NRAK-Z5LSAJRBU3R6JQ8E9E82E49Z7M2"

const langfuseKey = "sk-lf-ecc38b22-6d38-470a-abbd-3b8672eef17f"

var header49 = "SNOWFLAKE_PASSWORD=twKZg49epGfyXL3fnjUvDMXa"

func newRequest50(req *http.Request) {
	req.Header.Set("X-TrelloToken", "ATTAkNg7eWd1IW2AlFe3d44vhoth3HLUuZQMI1zER7kdSsz4njwMZjlO0jizA3p6EXKS88F61639")
}

func newRequest51(req *http.Request) {
	req.Header.Set("X-BraintreeToken", "access_token$production$u9so2vttocbfzthn$f44f22e0aaf458c5c87f05b6d4102774")
}

const upstreamAuth3 = "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"

var header53 = "KRAKEN_PRIVATE_KEY=Qzvk9X5Q3ee090+uf10WEptDwi8hjAiyI9ca6HivcACaDqim/jvYoUHP4SdzLxG9Pc+MvN7U2Qo1tUUHRN3YRn=="

func newRequest54(req *http.Request) {
	req.Header.Set("X-AzureRelayKey", "oF8oWndgc5pzSMDSrlaOJ5aOyUTwsxuxW+ARmGmycsO=")
}

func newRequest55(req *http.Request) {
	req.Header.Set("X-Password", "sshpass -p yVYFljPUYMIQ7hHF")
}

func newRequest56(req *http.Request) {
	req.Header.Set("X-PrefectApiKey", "pnu_UeV9qfuZsfj5fjCePJ5hmzIqcAFIVFc4fNk8")
}

var header57 = "GITEA_TOKEN=37d4d680cedff22fbbae069a531fe16b66d91d11"

func newRequest58(req *http.Request) {
	req.Header.Set("X-ClientAuth2", "lW2TTi1WU3rRIYo6WkNNmz3JpghZJf+lRQSeI7vfLOtWv3lRk20T2CEiUzel7CC5T+5Lddm3WSVD+AStlZN+8g==")
}

func newRequest59(req *http.Request) {
	req.Header.Set("X-AdobeSecret", "p8e-GIv9iTBh8HcSvrpLkYEkI1Prp1jc1Rqo")
}

var header60 = "ENCRYPTION_KEY=acc739f3dde840edf233d6e2d3b660c0c2f2959d82131242d1ee1abe9396f297"

const tavilyApiKey = "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"

var header62 = "HUAWEICLOUD_SDK_SK=IktbtqhiQekixwiflBBEhOhzlzSfVzlMU3QF659m"

var header63 = "CLOUDSMITH_API_KEY=1093cea760e96d02b42607cad67f2057c983b4c4"

func newRequest64(req *http.Request) {
	req.Header.Set("X-Credential5", "pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogIjIzZWVmNDg2LTVmMmQtNGI5Yy1hNzU4LTc5NzE2MDQxZGQ0YSJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiBkU-WHA8CAvvHV_oAaZq-JoXleX6hO0lYuyLOofQdE_g")
}

const credential6 = "AGE-SECRET-KEY-1RCPFAJSUVF394T7N6D9892HQ05TJ0SY9DGJC794X4F3CS2CHZLYSY9WA2C"

func newRequest66(req *http.Request) {
	req.Header.Set("X-ShopifyToken2", "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")
}

const auth6 = "essu_RmNXDbCHxBHhZEx0mx3VukcqssTJjvauCoHmSfuHz5r8q9VT0IVo43yWIEzzqHNTeQU0y59h5kYhfrrX"

const brevoKey = "xsmtpsib-86d5d428ea541dbcda56988e97989e4d6dadf7096d1523b9c59a3f0b87002adc-PnLRaybLuUjGxDRt"

var header69 = "RAILS_MASTER_KEY=73c746f8ac5a91c0a4b7d139f02ca9c3"

const openaiApiKey = "sk-proj-fwPe4UW1IXJWB3M9BNvcdkAoKN97iAFG89tNWe4mK_pv2NcYPW75OPZQcPqVjj4v067kakYB8hRWCHuUYoj-aJQgn-PDJTtimAB8E5-R3C3AiwlggRX-FjxWQD4rVXmjxF77C8BjC-xdvEgDfGqvrAg1qWxk"

var header71 = "Server=tcp:db.example.net,1433;Initial Catalog=app;User ID=app;Password=sYGk5HY2y8NcCLXcFURS"

var header72 = "MAILJET_SECRET_KEY=bceda530f73b23f91fe9829aaffccd39"

var header73 = "MISTRAL_API_KEY=FuZ7pCBXj3l5AfMdURo8KV6E8rtQBBmQ"

func newRequest74(req *http.Request) {
	req.Header.Set("X-Access3", "pat.dUF_ACDsHsMFakBMtU5uf9.KqDFzMjkzc71LDOauBTYYVcB.Y0BS3a6Z4HPWZBEpvhBG")
}

var header75 = "ZENDESK_API_TOKEN=v2QWyY8XlA9AT4ap3glL90NqUbCC8ca9awISEjXe"

var header76 = "ARTIFACTORY_TOKEN=uHNMUMfFIw9zC7TlLyJCFSy71PlATbX4JWyPsW0LMONYe7YlqKOo52Q04tJMGJoM"

const artifactoryKey = "AKCpUC1I85DK1WsXgM7Wg9uYuST9ZAZwrStu3GxzIUiCUs2pXcF8aqVAxm1WQxmdNom1olssF"

func newRequest78(req *http.Request) {
	req.Header.Set("X-GitlabToken", "gloas-JlwPweE5wKlprS0xNuZoTPM-y2QBan9cWAZ56Db9P9hC-MTjl1UMCnLdQVvPu09k")
}

func newRequest79(req *http.Request) {
	req.Header.Set("X-FireworksApiKey", "fw_wDXdJFwB1zceqPtZrUwZkCeH")
}

const shippoToken = "shippo_live_ebbd9a22d72af7614127a60b58b4ef301cbb12e7"

const openaiApiKey2 = "sk-admin-5U9dLdbws7CrFQBYi3JpFXFaIpHB3dlrFLqX2cGQIdPXB_rPKVAXSDN0yDU6-mdIhsVYN-S0vnHV0tGE7p2hy6m5tjJr8ojBo6WX88rVvmKRw46nSKtkluv5_W-c27K0qL3S0ha936NvnrRyoerLKDYarBeF"

func newRequest82(req *http.Request) {
	req.Header.Set("X-DockerToken", "dckr_oat_FkTx_qqH6Rdi7DR6-dUoQZNq9FqUAeof")
}

var header83 = "GITTER_TOKEN=Jnurhxo2smDPtXWcGrxz7r40g2N0JFu78HtcUZtI"

const anthropicApiKey = "sk-ant-api03-S85q4Ii-mio2mgK7g8XUL6ucu2D-UtlByakQcSnQBpJG4Az1mUCWrBx23TljBBJAwjY-KKIr_La8sd_LFays_plZIVpjIAA"

func newRequest85(req *http.Request) {
	req.Header.Set("X-FcmServerKey", "AAAAfS0sqD3:APA91bpB0f_d3VXLs279FbDJFhOjL4182HWu_k3qQ3XItcoNNv9o6EOv_LFACXuiEVhEc8AVqKP1h8Vi4NcJkla2pQw7B-SsOSAQBVq6w2Fa6YaLBCN_66HS9LkHH4yy6w3aOYoqKo5Y")
}

var header86 = "MESSAGEBIRD_API_KEY=hhXiyyUo5sACxW0GBhpnIWaQ6"

const upstreamAuth4 = "sdk-44814b49-dfc9-4fc9-abec-87077594974a"

const gitlabToken2 = "glimt-OCwgd9KNzKTlJzyZK4y6jw0Dz"

var header89 = "Authorization: Basic wMl8WmFi25DOplC6aOaKj3JTyXx3rvb4"

const clientAuth3 = "xaat-4062f33d-877a-4e2b-ac09-a9ae0726b53e"

func newRequest91(req *http.Request) {
	req.Header.Set("X-AnthropicApiKey2", "sk-ant-admin01-DdHct2-2LXhdTGEWAez_9qd9-I5ELR8f5i2yp4xa6S0F_z9gNyK0aaRsZvMisxmi8zEHvyClRhkemzZDudYLLk1t8FIHjAA")
}

var header92 = "FRESHDESK_API_KEY=4KZPJ5VokhgIWeUrVUTm"

var header93 = "PLAID_SECRET=cc606e2da3781fc6bf02e09ede4bc3"

const azureRedisKey = "F0j3kUH+9IGpqkzmhXjINec54gZJWbRk0AzCaCSmn+p="

const credential7 = "figd_1SMcrMsDeVz0rYDLMXJ4Ya-1nIGGwvUiFSChu8Dt"

func newRequest96(req *http.Request) {
	req.Header.Set("X-GitlabToken3", "glpat-bzo3cWh1CnU6Z2J1cFUnGq91JCpZqbZBCDSnQvcQ.01.140aort2t")
}

const vaultToken = "hvs.c8mZSCrvo0Z9V8z7qoXIK5zWOFe1vFcvBZMnrQPT38t0SnUaJFMjzuySp9C2CFaOAWvkWdFHnPb5SXfjBG8KzsVtu-K6WXM"

const secret2 = "the secret key is CpZYHPcSN5DW78on9R"

const auth7 = "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"

var header100 = "DRONE_TOKEN=rf32N5semAAAPQhWKYVAZLFvL0Yn01FU"

var header101 = "SOLANA_PRIVATE_KEY=FzURoU5mZHBtk2Qk88J3SpzesWyvA2mU2UpVsqZDoMwFMTZEMD9WEeWKEWPNLyW7rwuLEcsc8Ysu7td3jxFgCeN"

var header102 = "APP_KEY=base64:Ancm7VwEdJm8/641ldZsb6F9tslm+Z0yG+qsMoE7GWz="

var header103 = "SECRET_KEY_BASE=34eb954513587f896f2e8be11a1cebe6952de335a78b83269a0a739aca71e7a24d9936a865b3d08252939718b66b37b0b964485fd606fb1162c6da058fef432d"

const clientAuth5 = "SKa5607d9eaf2775dbc396d44074f74d57"

var header105 = "Authorization: ApiKey OYA/J+83max0gbrGqxkqGZ0xveD3M2mfFM8wHW0pFrXmYVpmWMCXDUE+t73x5ShlFVpWhq9y4PIlX/2F=="

var header106 = "aws_secret_access_key = e15dc9Yl3eplCbsmJXI4yszDT4d/gse0s7qZVABB"

var header107 = "AZURE_DEVOPS_PAT=gd3r2bdskteks62eq257vtyjflcgpgspc2tso6jc4pffapkrxevm"

var header108 = "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=zTDvbel7YXqR12ThxDNhxKKFFi8yh42q+kRFj0E3uq5neqTbGzF2g04uo0XYaRLtxBCMoiCY/nP8e25ZpDBpYd=="

var header109 = "GOCARDLESS_ACCESS_TOKEN=live_l23_pG30RZvCK1FeonFEpq1C_nMiPEc8_vYANdzb"

const gitlabToken4 = "glagent-5rlFHXg88qrdl7FmKXADVCrke5icg3iipor6FZVG4fafNPlPLK"

const hubspotToken = "pat-na1-27d8ebc1-28d6-49f2-a18e-daa092037792"

var header112 = "DEEPGRAM_API_KEY=3f1bf8c555f461e5ae64a13a35be5fd729ec974b"

const access5 = "sk-svcacct-8NLwnMm9f-t4kFQfFKkC7_aYqBmqImtrjlnO85HveicETV0iFxvbl-jSnPhRFBEN0mRm2FSoZLQ_3smQG8TEBvkVYzeyH6cWIgQt6EKiDAQ99xbyogyaQ3IesN9jJm2BZOB0mPeIqrQN-G6zBQyU4LOv_dDK"

const credential8 = "xoxs-3470640445-6381681834-7557266118-374de1421fc21562a2c1f2f5c30f6f65"

func newRequest115(req *http.Request) {
	req.Header.Set("X-Access6", "lin_api_MsuXg6olbFSWRfcRGrclVMdfYBrmyrIOp8MFYL67")
}

const sendgridApiKey = "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"

var header117 = "BINANCE_API_SECRET=KzkclePib1Q0pa2MFF9FDweMAsOJhV0y5E5QCibIf4ZZbfCXXRFo2GBkrIoeSqTa"

func newRequest118(req *http.Request) {
	req.Header.Set("X-ClickupToken", "pk_29930541_XR09QKX4C8X378ROKTUR4T8WU063SBTZ")
}

var header119 = ""private_key": "-----BEGIN PRIVATE KEY-----\ngLOHbW+DWHyD6k+AoP8jx3bcV22DuwSEG4BZrc5nq7OEAj3NosBKn4KU/sagZGS2\nbP9BRiX7F3znUVfRI7Wj8lAymG5RtQOcgoEeWenBcEPZMkrYhruuLGk6+bXzok9+\nWhMLr5CaDA4WjeJVxiefKW+fR9XnOxwNYM2ycaE3s2ruBzkAGkb+YmHL2QHog+PH\ni2BgXBiiz8+FLkGF115LqDnJfpvUhdK2nC2m92EiyrrxEnQ4Nxm1YcKChv6fIMwG\nLHONeYrRUX5jrSYGDuL89j1qi4S8PSdAsi4QorKpIQ/nm5IV7sU2xutHKMdPEjhv\nW6A0H3EyQj3ZMqHeqW0VQ9TnppVDYfunjSWNdPuFIU9Otcxxr3Q29jH56DkrrKOz\nm16I1U3WTtAIkCYsqwxF9iqxV1e/pesOTNHu0p+3onRtTkUwhtKTxRvKiRDYdrQF\nCpdET1Y/YyclFdN3JomZKjCX71WHJf15\n-----END PRIVATE KEY-----\n"

var header120 = "SENDBIRD_API_TOKEN=5df3325a52c13a1993c7b7025d99965977fd282a"

func newRequest121(req *http.Request) {
	req.Header.Set("X-SlackToken", "xoxp-44167209209-54060354611-6240258962883-374e3063be1e78ccd3e373b5b668fa26")
}

const credential9 = "pcsk_GUpXIJ_AnsycdMgtjDXy0emTABopSMRCbZG7I1XsxGT058O3iN9hQy9wmQCOpu9pwa1E1k8"

func newRequest123(req *http.Request) {
	req.Header.Set("X-Access9", "ghs_XozOhEqJxuwkZi4IXPTDtLCU87iEUV39FCzU")
}

const azureKey = "ATbsJwoucZPoMbkcSiGjbeZmLulaZToEm4RUGMd21d0cKSYwstZ6JQQJ99qJwvoJCKUiomTNdHD3MtAXi3US"

func newRequest125(req *http.Request) {
	req.Header.Set("X-GitlabToken5", "glft-9qvbMENgBXIcx37uMQU0")
}

var header126 = "JWT_SECRET=KjLfryLdIqED3vfLa1Om3QPoxwvMl8RA"

func newRequest127(req *http.Request) {
	req.Header.Set("X-ArtifactoryKey2", "cmVmde3yWNFSNcy6ac9gRB6in7gLwSBnSmHkMUy3GxpwPQmEzVjb667zu6J05B1e")
}

var header128 = "DD_APP_KEY=5f825d59f826af75157c985d941363ec1b768398"

var header129 = "TOGETHER_API_KEY=tgp_v1_RJq6PmYVJTStZTbdYV28hzSOy4BWii2D9rC1Yj7tbjp"

var header130 = "INFLUXDB_TOKEN=VvvH1fEv1pp4xvRVSVBjOW7PChBXw2tjIMpDDWf2bJk5ag3N7NXdhU1ItwIdY0k_TgAkugoKLvUVDez5cpx51H=="

const azureIotKey = "Jb+mlGQDIpMU0ytOvP7mPTH62wRBeKxtWAIoTD5eB4R="

func newRequest132(req *http.Request) {
	req.Header.Set("X-GithubToken2", "ghu_GwPb9NfC9y0W8mkMPbQHjLJzQL1QuH3dc0Ef")
}

const openaiApiKey3 = "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"

const cryptoPrivateKey2 = "xprv9s21ZrQH143K9LLiRpTV7apnsvGsgGJcK44BffNsfswDz3kSXLnSMTDTEi6tDPBn9meSVCpjZzmJQhf3HSRtSEcKLo8bUNTNcoznpLpbp4x"

var header135 = "COINBASE_API_SECRET=6fDXFkzdxvsBuKTuth-F2U1CD7yQgy45h2nepA8n6yA3EtDaPbRTQ5tG7KkVDBd4"

func newRequest136(req *http.Request) {
	req.Header.Set("X-OpenrouterApiKey", "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")
}

var header137 = "OSSRH_TOKEN=nVIpcG9TWoEoL/HWpSrU8bLfz7VVXYzvdLdCIDKqE3b4"

var header138 = "VAULT_TOKEN=s.pVbGIonUPhheC94uH6pbHdRh"

func newRequest139(req *http.Request) {
	req.Header.Set("X-Credential10", "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")
}

var header140 = "jdbc:sqlserver://db.internal:1433;databaseName=app;user=app;password=sO71wE82Kk1dKCVvoW4Y"

const atlassianToken = "ATATT3xFfGF0L4i2MmIXaYBbfLz5DQdrFMZrKjDgwbW8CTn7HvqHO8ffZYjkVGPU1NT7hErgn5lZ7VUdb7vXsQ2Bhgcf1mu_fPk1A026LBOyCcAgN4DssRGh87mYRVgwRZvjaBuxh8zo73pN6ob1ssDmAAjTBgzMV0kEZm5BO-9DKBpK9SHrGQ=C0DA6280"

var header142 = "MNEMONIC=analyst admit action agree absurd aerobic album almost adult adapt absurd acquire"

var header143 = "WIF_KEY=Ky3ANUfkHyx6DYFbKGqQxJFN5P9Sa6yMxhVqEArttVwyaTDv6VCS"

var header144 = "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=fYguNI1iDMMxw5+J58MK8CiZQ10niylscyKAmWw0OcX="

var header145 = "Authorization: Token BgSSQbbJ3iVNMMpxvwOE5QDy76nk3U90"

var header146 = "UPSTASH_REDIS_REST_TOKEN=AXvKAE_SFe6LWyEtmmrgA-5sVXsGufr94dck9STuOO1Ha_whG2l7zq_WcIRypq"

var header147 = "https://acme.blob.core.windows.net/c/f?sv=2022-11-02&sp=r&sig=FmY7v2yhn8Y6mCKb7QNwDI6s2dVD3aNTyhRAuZrbLCy%3D"

func newRequest148(req *http.Request) {
	req.Header.Set("X-Auth11", "xoxb-020952021546-7183325744380-vRBknd63Jw76dntcjEq30d65")
}

func newRequest149(req *http.Request) {
	req.Header.Set("X-GitlabToken6", "glpat-xmAsNYANmctok5HmrnoZ")
}

const access10 = "O3v8Q~Ib0rhZhhZ9YxaOVF9JMBa28S4iAo27FnxJ"

var header151 = "SUMOLOGIC_ACCESS_KEY=YIUAS9JFP1AxwMErqEwwLVYf1iuwUOMfHIV0FopZkTDzxJjyYKBEFcY1jj68JdN4"

func newRequest152(req *http.Request) {
	req.Header.Set("X-GithubToken3", "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")
}

const gitlabToken7 = "glffct-W-HMimpxFxIqZxcJruH7"

var header154 = "SESSION_SECRET=X7kHbEIn8vnJ4WeltvDod3YFEgxHIiDv"

func newRequest155(req *http.Request) {
	req.Header.Set("X-DuffelToken", "duffel_live_c9nikeMUwVScX9TmLQKwizcR070UIfEktGnFfXTkA0r")
}

func newRequest156(req *http.Request) {
	req.Header.Set("X-XaiApiKey", "xai-dpinKlfdlwFP5Xtk34kBxSPaMMcAsn4qfsvfB022KFvzjVnQEsJQNjnuYXTfrmoPVp6P7VeKyVwnoz9b")
}

const credential11 = "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"

func newRequest158(req *http.Request) {
	req.Header.Set("X-GitlabToken8", "glrt-t1_bzppcWc3CnU6MWE0ZDZ2zvRM9XlrvEHeN9Ja4CGXEA.01.160sln6ae")
}

const upstreamAuth9 = "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"

const postmanApiKey = "PMAK-07eb551399c1181021aaaada-08d9d40a487599872bd2d9f07c5f9082f1"

const awsMwsKey = "amzn.mws.7ba72bed-fe8e-4015-a211-ffb37d01f558"

var header162 = "ASSEMBLYAI_API_KEY=46c38f58c4e9c3ca1282552e33feca11"

func newRequest163(req *http.Request) {
	req.Header.Set("X-ClientAuth7", "AIza8JJzQb7t4CVnBPx1lWTT5Jw0O3bsxk4cKib")
}

func newRequest164(req *http.Request) {
	req.Header.Set("X-IntercomToken", "dG9rOjdvAMkstEHM2f7PM2ZrrBNuu5UkOZ4dJ9l7FpvmFkLblTyEtte90fsL=")
}

var header165 = "ETH_PRIVATE_KEY=0x35be7771bbd41a13c70b716a75d28c6281f3f075bc2153b357cb097aa65e6a79"

var header166 = "DD_API_KEY=0990c5fe498942767695916fd4bbe821"

const yandexApiKey = "AQVNkOwFzL3ot_h438rXiCIhes5Cbx23oCSet7Gv"

var header168 = "ELEVENLABS_API_KEY=sk_78eb45b8b57f7ccaa3b7ea27ee160ef34563940584241f63"

var header169 = "ROLLBAR_ACCESS_TOKEN=479901e5913981efff4ec3d36608edda"

func newRequest170(req *http.Request) {
	req.Header.Set("X-RubygemsApiKey", "rubygems_0a72a366a608b15e1a2d825c694245248c6fdc2def8fd0a1")
}

var header171 = "ALIBABA_CLOUD_ACCESS_KEY_SECRET=AD1mAtM4Tn8THQrhzxVByTaBdnAUsC"

const access11 = "mysql -u root -pAURVHqiomu6y1qlY"

var header173 = "DEEPSEEK_API_KEY=sk-14c2145b2a88c183481dbba8f221b1d5"

var header174 = "NGROK_AUTHTOKEN=2YJAL5A3nWY37RijXe6dXPtPqUk_8pLFqBney05JUtZpu7N4V"

var header175 = "POSTMARK_SERVER_TOKEN=ad5ebbd2-13cf-4420-a78a-f72f738ecc2d"

func newRequest176(req *http.Request) {
	req.Header.Set("X-TerraformToken", "PJBZhvmZ7XTajJ.atlasv1.sKlW9ZqrSYLbNX315nwtaX4uJypAD68rbOQmm1TaPsyNXlw5K28QiWkyKrH1U4DAAbM")
}

const facebookToken = "EAABiSSO4OqJd8JTR2akBn7F0IcNfKKpv6JutClNzprBo4QVxinMOJMwkUK2A2rT3wHAG1x2To3PTZ5eEAshyJ3hKDBxwPSh8un7PW9IMCeSfrhyetFUuPeL5Phb"

var header178 = "LINE_CHANNEL_ACCESS_TOKEN=XWGFo7ilDBtl/jPlDeFvQT6u8ctPhmWLXVH1JKiqZmyEPtyWR5NqKcUhYOqtZ53z8/oiQu2B7OwwhJD5Sud/oEQx+lB5eDNIm6MZ7PPblU5iQbr6s720Ll+TirQ2bHPIOoS+5hfnEhxTGwqcRiK4u1hAAeqOf0ZuRSnswYEFNU2="

var header179 = "MIXPANEL_API_SECRET=330ba615e5fe75a45f660ebe531b62cc"

const azureEventGridKey = "wypcHjZwOPHkD9x5l5RfjYyzGYigtgtLXAZEGCf3YoN="

const googleClientSecret = "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"

func newRequest182(req *http.Request) {
	req.Header.Set("X-Auth13", "dp.pt.pSGlk7NAyK0S0NVRB9itVDcdDg8iY1Ns9JuFe0U5san")
}

func newRequest183(req *http.Request) {
	req.Header.Set("X-SquareToken2", "sq0csp-fcnqUsOJelTfnpBGph50skVBDVHOAmaqHFyFVVlzPvp")
}

func newRequest184(req *http.Request) {
	req.Header.Set("X-VaultToken3", "hvr.mWig3chhoYRTx_AnEdyIL7IE66OhUg")
}

var header185 = "_gitlab_session=d83c6525520ca2adfc681413041daac4"

var header186 = "CODECOV_TOKEN=21abe976-1b92-4172-a6c1-ad52810d1a18"

var header187 = "MANDRILL_API_KEY=md-FHe2Yppb4WLAFWValXCWvP"

func newRequest188(req *http.Request) {
	req.Header.Set("X-AzureBatchKey", "DyFKvmq7t3GL5jVVgi4Jr+iGMnMP4IJEQuOdgPBGTQMzZRob8y598DQQNNtVkWVykFcmvP4lEdFk+ABasfcjlA==")
}

const access12 = "dckr_pat_unFUT8qBGhusAcrgw4vNg2QtJm0"

const easypostKey = "EZAKSpw3pIQhBIdO4H1W6TbpMykfS6ptk5v6WsXdCjNU1q3CrVewGjve3m"

var header191 = "VONAGE_API_SECRET=khpzlKVwivVdFBdp"

