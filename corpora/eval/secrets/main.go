package main

import "net/http"

const ageSecretKey = "AGE-SECRET-KEY-1RSAU3A2MFS37LXPX5YPW9NRMZXPA8D0QXK5Z5HL4NMAFXKPSRYSQR5WHG3"

var header1 = "CLARIFAI_PAT=651005a30826d89005b10927a4998f7e"

func newRequest2(req *http.Request) {
	req.Header.Set("X-IntercomToken", "dG9rOjfOGcjndXpfOL2jEjfgjmGn4eESOMM22Zro9yiZr0E5s+OmI+tnG6Si=")
}

const dockerToken = "dckr_pat_4ez8qJ8QqAam3Kk_enbAkv6xhgt"

const honeybadgerToken = "hbp_YaNmX2P0lLEASGi3AkaG8PeLrRnXNJE4Z6tf"

var header5 = "AZURE_OPENAI_API_KEY=8b8397cc98fae679971e3f7b748a4083"

const auth = "age17w9rrqd80a80g4zcsplxg8035ghwyqxxv33rjv5yn9pyu2y8h8yq4wwgcc"

func newRequest7(req *http.Request) {
	req.Header.Set("X-Auth2", "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")
}

func newRequest8(req *http.Request) {
	req.Header.Set("X-VaultToken", "hvb.iv-CbHAbdR9KrycIFMmWXZVxh8wDR2q48ZuIl97S5-7_Uh09tE4OrTCSDL5Wo7sKTiGmiiEFyxAtBmUIetLd81g5EHoFBD6pn7vmDKQZfZl1nybQYsA1sACk4BMzhGMGyPCYEtY6kMvX")
}

func newRequest9(req *http.Request) {
	req.Header.Set("X-Auth3", "glpat-Hc5L8qbAleqwZWa4sDNl")
}

func newRequest10(req *http.Request) {
	req.Header.Set("X-ShopifyToken", "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")
}

const trelloToken = "ATTAmQ0GenVkTm68lOSfuCUCGAKEznconEk3o6eBLPlo4v3ZzZmXUumCscUhAZHPoWaeD4F8D8FF"

var header12 = "DISCORD_BOT_TOKEN=MW3Wz32Q1trJg6LYSIApR1q9Bo.R52DFZ.IpVFsHoRVHt6iQqozAkt9SbMly_HG3J_IMhO9Y"

var header13 = "SOLANA_PRIVATE_KEY=XwxdmE3cJggsRqGqcmBKw8r1pYzGMERhJTjEqLWxKRYNA62mwwDZeouYiFKQehipDn1dEUpTPvbM57R2ChVZNgG"

var header14 = "UPSTASH_REDIS_REST_TOKEN=AXQD-dghkxS_lBAkEtERKVbkiV6upf74uE_XoucgKIavybR4ASSts7sGg6ZjGO"

func newRequest15(req *http.Request) {
	req.Header.Set("X-HubspotToken", "pat-na1-6e6f43cb-e0cb-43ab-a092-08db04fd1149")
}

func newRequest16(req *http.Request) {
	req.Header.Set("X-PypiToken", "pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogImIzZTJmYzg3LTYwYTEtNDk2My1hN2E4LTBhMGRkOTU1MjBlYSJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiApdFY01ZxGE535hdWu2dCwySsxjT3qMS92q9vLoNt5eg")
}

var header17 = "VAULT_TOKEN=s.BVlB1uvLzQWcBoep0QAZ3wOW"

var header18 = "LOGZIO_TOKEN=beiszblokxzouydqUALMMMEZFYMZWBCM"

func newRequest19(req *http.Request) {
	req.Header.Set("X-HarnessToken", "pat.OfLV7UvLh5ju1PIspjJ7fY.LzQpswaXCe5Aou5Ual5nJhVi.wEaAjc6vmCkB6OmjucGt")
}

func newRequest20(req *http.Request) {
	req.Header.Set("X-PrefectApiKey", "pnu_s6iQsOf1tZFWOPcNsx4cCRLMoYJ76aObEIW0")
}

const squareToken = "sq0csp-deB6plwV_LCLZIoPa77cxxR6_OHmIDUyhbqBQKNvy-3"

var header22 = "GOCARDLESS_ACCESS_TOKEN=live_xFjaBV19kQgV-vKp0ZgRIJG1e8MKtsdGXcfEDCsf"

func newRequest23(req *http.Request) {
	req.Header.Set("X-YandexToken", "y0_AgAAAAjDyRHs7oZEMHNLGJmCunG7bpV6Iekg-bSDsvZcuDcpaEzBcGVB")
}

func newRequest24(req *http.Request) {
	req.Header.Set("X-BrevoKey", "xsmtpsib-f7da895403c76047bdef4383d78c15b7c2a327f6d32405a5814b4eb842e2bc58-bUhn2eih7TDM7pUj")
}

func newRequest25(req *http.Request) {
	req.Header.Set("X-Auth4", "ghs_UBrRi6HCiWzmUGKuS9ZjfxGLtLGwkV4MRzrC")
}

const azureIotKey = "yuf1OR8ScUi8pUCE0fjcUqLOmPEtG6ULAAIoTNbvtAZ="

func newRequest27(req *http.Request) {
	req.Header.Set("X-Access", "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")
}

func newRequest28(req *http.Request) {
	req.Header.Set("X-AnthropicApiKey", "sk-ant-api03-KZOvmM9FnX9fZLCy-cdUD15ziPlm_4YXMq-dbyRbY9oaN0coRGsuGbiAniVyCyaxaAESQr1cOFImUFBimq8PctmbarNBNAA")
}

const gitlabToken = "glpat-bzo1cTFqCnU6MXBiczG5TWV92XmQnKlgfFKW2sZwEA.01.160swid4j"

func newRequest30(req *http.Request) {
	req.Header.Set("X-ClojarsToken", "CLOJARS_cef7szadc8eho6zam9y1x4mij3bssgs7agxarek068j7o8z9oz1vu79kcsru")
}

const frameioToken = "fio-u-sg2XQBt8lbWJAssys6JO8VhqSSdQOM2AlCnnu8n4Vop3DKwn5BwAIl46UbzmvOCd"

var header32 = "POSTMARK_SERVER_TOKEN=dea75139-633c-44d6-abf3-d8353b578a53"

func newRequest33(req *http.Request) {
	req.Header.Set("X-AuthressKey", "sc_OFlbWyVeHQl7.eKbyE.acc_zn7rcZtpCoM5zfAbnwYu.7Prlp-vEAqCEJMdj2MgAzaLJEIybHrevzLiISxgenidBwiPl0mBQVZpNEOxo")
}

var header34 = "IBM_CLOUD_API_KEY=OYPpO35g3Cyjp2bWAhIm5WmeWawi9Nu8xhKLZ3Ouelda"

var header35 = "AZURE_DEVOPS_PAT=mbqa4thlp7z2m7fnnplg2tqjlixxnhdlyqu4s3ykew2u2tbvrqlw"

var header36 = "ETH_PRIVATE_KEY=0xdbaa4c7f5a95aa1c24bf9b6995458dc3203260334ebc57e429006b90ba59249d"

var header37 = "ENCRYPTION_KEY=27c94ff8753b29cdffb1b96f9cbdd2fa4c80038293eefb5f677128c3ca406048"

var header38 = "Authorization: Splunk c3f860d8-ab22-4e22-acfa-2e9184dc9430"

var header39 = "ALIBABA_CLOUD_ACCESS_KEY_SECRET=aik1oLzWNPC0RROR0swa0yh2UGLAz3"

func newRequest40(req *http.Request) {
	req.Header.Set("X-BraintreeToken", "access_token$production$pkz9kfviz4ibisd1$36e8b9ba59018b296e949e78d8683aee")
}

var header41 = "MESSAGEBIRD_API_KEY=lj6eD8av6p1gZQwJF1ZRiGuIl"

var header42 = "SUMOLOGIC_ACCESS_KEY=7mvuuFzxKsfE7JBQbi3p6HB3eSmalv3Mlpz26Thk85KUs7vDGidYGF3vldnensoQ"

var header43 = "MNEMONIC=acquire aisle aisle abstract among accident alarm ability about always acid anchor"

func newRequest44(req *http.Request) {
	req.Header.Set("X-TwilioKey", "SK5a966cd4e81e247a884b91e36f833285")
}

const cryptoPrivateKey2 = "xprv9s21ZrQH143K7JPiQchnoYNE1oKWb1AMbQkfipbDKceJ13aK1tJVkdJtNZsiYdTc9T6wFYMUuEswt5VtavjniLugnMbeFunNCvg3HVpvSWV"

const azureClientSecret = "6758Q~lG7xuChkFckLZVBFrByjj0taSbKYLIvP2v"

const gitlabToken2 = "glagent-cs1gMT-xPn9GKeWkUzNWPVCe8_9K7JWJsmDOfQItCRYDpUVziz"

var header48 = "SESSION_SECRET=j5fug9hswxppaEstN4hqkBISbudMElkY"

func newRequest49(req *http.Request) {
	req.Header.Set("X-OpenaiApiKey", "sk-svcacct-BGO8LSa5QqSVpMGvZRaKnLCsf_fjK43Iq8FQ13Ocq17XFCc0l60hCj8i18nEDSqXkqVrym0clbDRHmyUFmnSl6bx5MUo7FFQaTeTyrv7ZltV3n1HsTXkEFuncJZH2AznXeceOKDUqbLxmWB8otwomkBXZLZz")
}

var header50 = "SNYK_TOKEN=f55b33b7-e798-4f30-a8aa-80920db8337b"

const duffelToken = "duffel_live_L63bMXSjRM4wua5f-7fzjBlmBPEHHQm5mW4h63piXYV"

func newRequest52(req *http.Request) {
	req.Header.Set("X-NotionToken", "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")
}

var header53 = "DEEPGRAM_API_KEY=85acc90f7dbb20d97d0dc0f759ff7c31d4861c63"

const githubToken = "ghu_Gyixo1Nx17EyQMyoCyf0zDfET6R1jV0o1oww"

const langfuseKey = "sk-lf-99f9e31d-659c-4f46-a67b-a7954291b54e"

const artifactoryKey = "AKCpSJOcLEYRTWTU27iPtBQ7Z2qMS0ytatKvITSpcgcaa1QbrOWic9toVAGOeVEysD0XUMYoS"

func newRequest57(req *http.Request) {
	req.Header.Set("X-GithubToken2", "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")
}

var header58 = "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=eVWnHB34wg7oM8pN3JuX1mCLIaABPG+FpO+ZHDz9iN0GfbyIGENxOWjGrmdbAxJ3f8TyQMB7JGAaRp+nluQerc=="

func newRequest59(req *http.Request) {
	req.Header.Set("X-AzureCosmosKey", "zMOSGKc2Mn+JD/mcv3GtXszZ2j6TieT2BXhOg+aANrJkzBuRe5AwFLD/VZ8EQmfFpM3eiGpEClADACDbufz87Q==")
}

var header60 = "SEGMENT_WRITE_KEY=dKrLCeTrkQFo6jBjKrT0pyQZu37hEvPa"

var header61 = "Authorization: Basic 2t2hFEUpioexel85J5wRUsYiLTzXwX36"

var header62 = "SENDBIRD_API_TOKEN=69aeee1d912fb329e6c253e02858920cfe398d81"

var header63 = "_gitlab_session=43bd4e4d5ae39145bef929c9f5d32eef"

var header64 = "Authorization: ApiKey VVWhGrqMR5fOxu/SFhlVdvwGkmwOR6PFe5hvS/bmNO2v8dJ/BAgs5omMBHjmPWcJbqrfc5OwyFo373OC=="

var header65 = "OCI_AUTH_TOKEN=KvRicVh542jAiczvkFjz"

func newRequest66(req *http.Request) {
	req.Header.Set("X-UpstreamAuth4", "cTjEmLCErAabEf.atlasv1.PsOoeMgAgKiJcmjGE5_A4F9iD4SeVlCVgyNn-d8vOMPxanMqgZZmxf5b-eP8AVAWulN")
}

var header67 = "client-key-data: LS0tLS1CRUdJTi8dyKju0tE87YFLPL2Hbrj4DA9m6jO+zwPbNuXMOA7znYNJEqwRLzlbpXkIS+hM29AXyLauU1LTVke8BLrpbLPY25gEsKJkmQx1jUJWmE2Wrc6kMKL+l/aItZxdvXcijs83pTbfyd42HIw/poBxmkYH4Yk7Jo4QKB4j+4OzTb+sEBHJ2Hlx1ePusJkDvDIlMqNLkqk4pQHfhBunL33fCOgut7OjOWkPHGXiWTwPCEkMH+RpG/PdF59q16Td1P2v/6Cnk29N1szyN8Tvo+07ueiDWPEmtIJ+i2NbHPCJvWZAqKY/bFVUVPz7nO8H7g4inyyQMgAXWxEmbA+VorCk87ER9aB3i5Z04y1rB1cM0ZjhSMO73OV+/5be+fkuDqxJwTluuvu1y3JpPPX5dA"

var header68 = "ROLLBAR_ACCESS_TOKEN=e9ed808b2c150db43ee1921606c254e0"

const auth7 = "JsDOzZ80lzBuUeS1kHa8omJTcuR2MndZvppPVYSTlLDBcoKQIJQDJQQJ9HJCGfGDet2lEboSvCWwQChfzpUN"

var header70 = ""private_key": "-----BEGIN PRIVATE KEY-----\nHi/hUuWezmcRARK6KyolYkWn4aCANvBUqtN5RpKA0L4tpVH4R3gOsCsy7OsH+qS7\nSmPS/4iUZHenR4JAena5jt+MrT249sN5Fg6UzMCXw+bNTVAAbYA8Jy6inmTdfJ3O\nl2TQvrsrxmpCNs6E12NxELUUpKuMJfa/cy+23S59EdOXinj+FznjIWjmtxXWcwSl\nPuyjHXa+R6MIMjESHyTQ363camMl2drWVF/trPmg/3GTsujLYR4jkciGXz6Eb5t7\nxX+K/CoMN2rL84Fw45tXn8dbtJL0DtBJxe445qU522Jrvj+fuA+/zAl/01b5fcWg\nSbhCOdfZeFwvPn8FVomoKttQaUnDsdI1B7chqW1a/9n2ieqctpWlUAYFf9QdUynN\nvCBY7VzpxHh3QbxNhfv65RXoE3ptrAH3K1syfs+uf40z6+VdOm/OJfzhdfaqtpX6\nJJBc6KEz/cSEP0g1Pdz2wQh8eRML9Eqa\n-----END PRIVATE KEY-----\n"

func newRequest71(req *http.Request) {
	req.Header.Set("X-Credential2", "LTAIsO7TwiXkBzdU9UtEImDP")
}

var header72 = "GITEA_TOKEN=f31dcab178957b28629ede495dc66b320983b803"

func newRequest73(req *http.Request) {
	req.Header.Set("X-AzureApimKey", "QQc3wCDAeRh+dVqgbgTN5MBWUzzNIPtRjNzgoFqrkAWrvGrtlRccrinldlMWJQH8o9yS3Wj8JJHeAPIMoLTMNA==")
}

func newRequest74(req *http.Request) {
	req.Header.Set("X-AzureMlKey", "uJdXGBfgZ9FRn12GodEyIIcz/FwTltcFZo1c5QGMV5Vts6HTwWgqRvWmhm3xkdAOqUF62HpF1+ws+AMChDc5xw==")
}

var header75 = "ELEVENLABS_API_KEY=sk_ee7b384fdc55fd6294fbca9ed1abbc89b3c38738acc6841b"

func newRequest76(req *http.Request) {
	req.Header.Set("X-ArtifactoryKey2", "cmVmdz7oP8O8Tg2w69jUDUb3itx9tuH2BnCP6CQGxl0fVJCTw8kEQFwIXvhMHDT8")
}

const vaultToken3 = "hvr.Hqwz5bQ1llGYOeNgMDVNq5WgXU2IEZ"

func newRequest78(req *http.Request) {
	req.Header.Set("X-TavilyApiKey", "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")
}

const anthropicApiKey2 = "sk-ant-admin01-ecclz60Wwk3CR0JH5RIC3AtVoEddILEWnNLnu7VBd5OtOHAm8zcZtGG8sAefnYpCP9LTSaULCVtTFg8InvrjP70wyKA27AA"

var header80 = "SNOWFLAKE_PASSWORD=JmCn33IiFXyoEziDL2ts8WWM"

func newRequest81(req *http.Request) {
	req.Header.Set("X-CircleciToken", "CCIPAT_ziM4X2TPxQeGvp02DyQ3bG_dcbe2e944aedc1439707fe2c01a1cfed75377003")
}

func newRequest82(req *http.Request) {
	req.Header.Set("X-DigitaloceanToken", "dop_v1_8fc7b0b09ce14e1f11c8f4b2259608384646d9f2ee7a5055e42fcb68384fc02c")
}

var header83 = "RAILWAY_TOKEN=8817eb05-34a4-438d-a5dd-3f21d3f7c645"

var header84 = "MONGODB_ATLAS_PRIVATE_KEY=2a1df3fa-bbc1-47e2-a1d0-5775a7551416"

func newRequest85(req *http.Request) {
	req.Header.Set("X-Secret", "the secret key is xZ1ZRvEaugIj61Lbql")
}

const rubygemsApiKey = "rubygems_09e5d0b29c9cfb9f26f49e57e5b6934f15e69bb1e5883102"

var header87 = "MAILJET_SECRET_KEY=d2d5ee735e6214a46fcdd17ac2632d55"

func newRequest88(req *http.Request) {
	req.Header.Set("X-ResendApiKey", "re_xMUQEEjM_tYEufWG07AM8wkHNKLd93iVk")
}

const clientAuth2 = "figd_I4xYFanNQXzBpyT14371dpG5xs0qJyu_16AmBlvq"

func newRequest90(req *http.Request) {
	req.Header.Set("X-GithubToken3", "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")
}

const credential3 = "pk_56698861_RFY9P2ZX2Y3OEDIMS3C1DZ6FT6S4N7TJ"

var header92 = "INFURA_API_KEY=bd5bbd70abb49f6b24ff61bf72604e8d"

func newRequest93(req *http.Request) {
	req.Header.Set("X-UpstreamAuth5", "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")
}

func newRequest94(req *http.Request) {
	req.Header.Set("X-SourcegraphToken", "sgp_2fd701d924f6deb4_f5fcf1159e82789e232d693c66709542f764a0a3")
}

func newRequest95(req *http.Request) {
	req.Header.Set("X-SentryToken", "sntrys_eyJ7B6X0t6IK3dsb52LQgGtjYMsoWfZ6f5Eaaj+s5YbbX8M1QO4Qyv9bAqMSFw93lTYsryk9uFGBRnJE2CuaSoUh6TCwIh/LL3vXw6S_tHtmtyGGxwNfZdSbFdRELpTYrfTiz+PTovaaFEcRRsk")
}

func newRequest96(req *http.Request) {
	req.Header.Set("X-ClientAuth3", "rnd_l7xlfuxdnQX4Ys2iqRauiemyUIbhgDmi")
}

var header97 = "aws_secret_access_key = 0+QUzQ1ESAFTVrLDz4zm7w04WUdMhi2ASsv8kYMH"

var header98 = "LOOPS_API_KEY=47b6d9947770393275279adfa09809ae"

var header99 = "SPARKPOST_API_KEY=36e1572d8e99478d82aa9da3e51524c867e56762"

var header100 = "HUAWEICLOUD_SDK_SK=qeYEt5bCnN1b6owZhDMdzR8CzhiUtu6u9mgl1cxh"

const credential4 = "gloas-6cryLA8wwgFMCsxJKtP88d31yboDrgzv9-kkCFBETkiJnOE9gUs_dqcdIVbtewBw"

const linearApiKey = "lin_api_tbaiD5AxwOOVIoJZdhtZuBbx2o26NHVFqvSaNwGf"

const password = "sshpass -p 5BVB5tHnJxvHj4Pj"

var header104 = "HEX_API_KEY=09b6ed32060dbadf46c518472201f199"

func newRequest105(req *http.Request) {
	req.Header.Set("X-SlackToken", "xoxb-987749721722-8610196982000-dZBk3fuF1NJ23k8uWB42Wm4O")
}

const upstreamAuth6 = "live_da8e2866603517133984eb165aa5174bef1"

const elasticApiKey2 = "essu_5PIFr+HNocJbntv72RdKgAYM6nE8tLHsDdZbSfHWBWkTDW3s9MLF6wArOJAHph7uqol/Q2v4w2pXzGXl"

var header108 = "https://acme.blob.core.windows.net/c/f?sv=2022-11-02&sp=r&sig=S+3M+n+cZ2MqEIimIuv/8Yd0CbsHyAajafkqMx9a7Vv%3D"

func newRequest109(req *http.Request) {
	req.Header.Set("X-CerebrasApiKey", "csk-450u0fo1mhcaj4hiez4zjih31fc1o8m5k0trqt57ywl6zp9t")
}

func newRequest110(req *http.Request) {
	req.Header.Set("X-CloudflareToken", "v1.0-e8eddb453ee0a45e81f4122e-0277fe3ae114a7cdea2b6575454c9fb2ade0141391aa6473c67f5b7691ae23a3b1004be0f0b175453b44edd7cdc6063bbc91d77de3bb00172b5b90e5c4cf029cfe87fe19d02bddcd92")
}

var header111 = "JENKINS_API_TOKEN=11127ab14be45345f8cc7b0a7c20c7947e"

func newRequest112(req *http.Request) {
	req.Header.Set("X-ClientAuth4", "glrt-t1_bzpldmwyCnU6MTE1MG4fgWPrY422unOiUTrtcJiBEA.01.160r57tr6")
}

func newRequest113(req *http.Request) {
	req.Header.Set("X-SentryToken2", "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")
}

var header114 = "PLAID_SECRET=87d2f92b3a51418d7d0367e9d37874"

const nugetApiKey = "oy2i1cgn0ubq1e7e985aqvd268kqepouzisa0yvp63ydhe"

var header116 = "curl -u admin:8HX7no630xdUCXRU"

func newRequest117(req *http.Request) {
	req.Header.Set("X-JinaApiKey", "jina_c4b66dbb03d878fca8ba9cbb65687464giL_-IK5lMElVQFayUeQKZ-B_L50")
}

func newRequest118(req *http.Request) {
	req.Header.Set("X-OpenaiApiKey2", "sk-proj-XydpyN1YFncLjUBP3VJ8wZZvYteYg18KlPHf4fm3hq4SnXzKy1e8ZWik_12NO8NjDLgBgT_282454VnPX-JIWSSuUzigfpbX3usyKsQ_rkidIX8aByyJtsWhiVWKUUxdt_ScIwvv3F84BvzzB3cQCcCznEKI")
}

const credential5 = "hvs.uYhAteuiNSi1L2RpGE1lycrKzsOF_utGx7O-yVlUciRzdKTqguksVfn8Nt3J7So0lsZbYabjAGoATAR6l1Ahk8QQOYNDDwj"

func newRequest120(req *http.Request) {
	req.Header.Set("X-DockerToken2", "dckr_oat_nMG2hKbLjfZ-2OkYCEdqeCtsj-Q4huYx")
}

const auth9 = "AIzaKLE2zv1Q6WfPk7tjWmLqw5rHTDbZpF8isGa"

const azureBatchKey = "VGuiXQ94y1fbioFHGSHdUN5A6+0GgzGwWAoE9omfPiQ5F9PpHw3AY2+aqPJMYVlUJ1uoIyfuOR8t+ABaCggCqg=="

const access3 = "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"

var header124 = "KRAKEN_PRIVATE_KEY=xa1ChA9K+UZVhJbPI61Ax7pAgQXIkOS5iYj0gk5EvoFBX9ukylpU1QHQvtFkyEn4YgXNcRT9nCYCwMG99Qa0ZM=="

func newRequest125(req *http.Request) {
	req.Header.Set("X-AzureStorageKey2", "Smu1263QV5AQ7acw4WmFSkrWejU2+LZDbd4dP1Z6/rJd2QX1zU62NX574GsUfcUYZNspwqjb2KA0+ASt8DdUFw==")
}

const shippoToken = "shippo_live_c65254fb81fa9cebc700e19a96d7e3f595e9a9ad"

func newRequest127(req *http.Request) {
	req.Header.Set("X-Access4", "sdk-fb19dfd9-f286-4f6e-a508-d8102412eea2")
}

var header128 = "ASSEMBLYAI_API_KEY=998a62bec80664a74a5a3bbe8a768477"

const slackToken2 = "xoxs-2110397575-9942394429-3918446806-8329707d1e7f388962988e700a3c7149"

func newRequest130(req *http.Request) {
	req.Header.Set("X-TeamsWebhook", "https://acme.webhook.office.com/webhookb2/42c4258c-43ae-471e-a92e-320ed2e67ddb@ac0b1cda-79fd-4094-a48c-293b0b937378/IncomingWebhook/dKOca6IBAUqO6ICoqqP57Mq0oVwiap5Q/741f3d44-039b-4065-a522-42040cfd44d8")
}

const atlassianToken = "ATATT3xFfGF0F4oRY0551eYwkvasSPCK7awGR59BwlUYMcfnNKqHYe5FU5WPNAZx9RH3FPhD-97I9GX3udOVc_cyh6g4oGlxktaIYAH5d9ZDLt-Yyr1H4H6zBuYrDL-aE5QwpvTxdF83vEf7URDPSrIKaTNA8wXOSoXW9YcIcLkvtLsRDMKqNr=5997A2E9"

var header132 = "TWITTER_API_SECRET=zESPgPVV8ZcmTHi5DIEPmyj5NagC8fnSA6pFRFouVmGR1sKInF"

const azureRedisKey = "bwWhDLrU3om3pX5hNEoLjYENodFrWQq21AzCaNxJp2j="

const slackToken3 = "xoxp-31085219255-00051177547-8959591727594-735aed61248ec9481d8c447e08f9d659"

var header135 = "JWT_SECRET=9DTH341juoW3IoaDn22YpK52ClS5GlLw"

var header136 = "BUGSNAG_API_KEY=9480477320434dbad9af13d594318c50"

const mapboxToken = "sk.eyJ1IjoinsI3NlL9S4d7PQDlUtGkTFtkJFWenrX14UbuXkX6.0LNrNL9En0Ag3Yj5GvmmyH"

func newRequest138(req *http.Request) {
	req.Header.Set("X-OnepasswordToken", "ops_eyJm1jhb3cxIMrvKyYjC09oVYSBYMVx87LTkz68TZGdebr/OEUTq3VLsneSSV0SC7wJwfjG4HtBEqrmckB7DJs2GDT/1xtSUkKRJs/zIDAVdmqLImx7eJeFzdPCnbAVCy3Um91n7VT9uXmMeIiT1LIZsJjzL29DSOXDDij/Zp+29Gj8oVLxFSn55azrE32woqPOfM9gZky3hNM7xlOYFvqO6sVwqB7zzFaQa1sdCX+IA7xcHqzolYvkZMkYERm1UXMTxucf3peJtrUlgC6KlIaklewHZkwx+7ObTHVJT4yVMbTN")
}

func newRequest139(req *http.Request) {
	req.Header.Set("X-BitbucketToken", "ATBB2IbmClr2BrYcZAdqDaE3z2DdWx3Q1KItCE6A6C0A")
}

var header140 = "MIXPANEL_API_SECRET=79a942ec010cf136271c1362c1a4242f"

var header141 = "INFLUXDB_TOKEN=IQmK7pgVufQ3sPoXUhPSVdxwMACvNfKlhwvs2ZB0-Eyywsuwph6nejqttvcxxC0Vl7JQaNijKSWOuOMxWate8l=="

func newRequest142(req *http.Request) {
	req.Header.Set("X-ShopifyToken2", "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")
}

const clientAuth7 = "AAAATdhSjAa:APA91bQKBKGUIH6NSUxIzPC-26ZBX9TVH-ovpSYYMkZiTryW4V5rUFSItPN2jBMIptIn4--ezzKHzv3ZbAozYEkAV6YYR9SdJzEkpo81KubFX5cLdhxsZn3Dc8oshekyYZ3-sfbZOqgE"

var header144 = "TOGETHER_API_KEY=tgp_v1_ahqVZeeJ5OwsIC0noqZpKJsvTDMh9RBeH2rDCgw2AlP"

var header145 = "WANDB_API_KEY=19ffaf73fea97602882f19b17f20033b98786f2b"

var header146 = "TWILIO_AUTH_TOKEN=3bd0dfc2dcd18948d850183353035b24"

func newRequest147(req *http.Request) {
	req.Header.Set("X-GithubToken4", "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")
}

const googleOauthToken = "ya29.a0hPFipWmKFFOwn0LEz3Evh3-2t-q0O2_ddWvpUfikHRgSQ0HfpeQb1Dw6ex0bokmn8TguEygVA4vO7rbxQnGr08UxeWThbtAlGcnVIumCgzqhMPaoeh31QOhlbpDat9e31HUBnHqZcNMK_zIePA903K"

var header149 = "TENCENTCLOUD_SECRET_KEY=qJaEMtg2qjZLm4QY5MhKKtfvOlmIbkHi"

var header150 = "GITHUB_CLIENT_SECRET=c36633a07af8acd16de717d817eefb450068455c"

const gitlabToken3 = "glft-t4g2-iBX0KNE_ILdBXkS"

const facebookToken = "EAABZSLFDo9xYnmPoSBq0y7gjlD3WLEcEhvjT6xunf6tQpnum7kgnQC65ZtXDUlmjS6296mZKfCE6j687KYxaf2IZWs5gwcMpNtSv1O7LTBfR0P9f7t1jgloKg2y"

const twitterToken = "AAAAAAAAAAAAAAAAAAAAAXTh1rJxNZWWG%3DSJfomMVapIeDyNo95EBtnrUvzaGEy6aGTG3a213aVJsPnMUqaTfjcfqxrGDhst5QisG8NbL12oBxBdw07QrP"

const dbPassword = "mysql -u root -pUr9DMSRYZADhiW6M"

var header155 = "CLOUDFLARE_API_TOKEN=AHek_vuXTiPbnWyo0m7Dry14P6z2ZWeUu-NVrPw7"

var header156 = "MANDRILL_API_KEY=md-JaMgD4aGYYkLo1T92tCXjN"

func newRequest157(req *http.Request) {
	req.Header.Set("X-TencentSecretId", "AKIDCjWlHdQSPTEFii3FCdvXTjoJua0gyQmt")
}

func newRequest158(req *http.Request) {
	req.Header.Set("X-SendgridApiKey", "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")
}

var header159 = "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=haxL+MX244CUSctYXFFrTkQtfL0uZqGjBTvEaVm2l9p="

func newRequest160(req *http.Request) {
	req.Header.Set("X-UpstreamAuth8", "fw_7XoBGlPZgfWWbtYsrvBdrZ7s")
}

func newRequest161(req *http.Request) {
	req.Header.Set("X-PostmanApiKey", "PMAK-17fd072a2b8d29166a189b75-85afd6889d66302d32e040824bbad27a32")
}

var header162 = ""auth": "yRQzf8AlgMaNFG224OWEzic5ddhgnONUQrSHFmXW=="

func newRequest163(req *http.Request) {
	req.Header.Set("X-NewRelicKey", "NRAK-3FVH2DJ8A0Z2JZT7RZJRLTL1B7L")
}

var header164 = "ARTIFACTORY_TOKEN=vYX2heyXehvlohXLwXE2cEEd9i6WK07Yfbj1nDg1NINzPjDGwvnvtkUImX5j0xGZ"

var header165 = "WIF_KEY=KpBqZENyKYZJ1V88a3Szp6SwJEm1QCo6WVJeWXH7KWnFGZpeFy99"

const awsMwsKey = "amzn.mws.cf4c8b99-52e0-412b-aac6-6039db526d43"

func newRequest167(req *http.Request) {
	req.Header.Set("X-Auth10", "sha256~ZotvfyRFP9iTXeE3l1x12QMhHI6WP7-Z24jFbrOUyQi")
}

var header168 = "STABILITY_API_KEY=sk-xYYg5o0EONIq83WrwTF5RMzN0liuZAKXVwSkUmi21wBMVoiL"

func newRequest169(req *http.Request) {
	req.Header.Set("X-GitlabToken4", "glffct-Jb-0TPnz-nVavM8nZCGq")
}

var header170 = "SCW_SECRET_KEY=e590d6ce-3b37-47f4-ac22-5a8b919628f9"

var header171 = "COINBASE_API_SECRET=QG-d1ZF-q12Ke-U658T7wLm_5xlHVx7kpPauMokjXz51U9XgsKYshdp4akcCQ1Xx"

var header172 = "LINODE_TOKEN=e53c5c57f0ec0f4edc82971690dd8602203a43d0436d5f2caaf4be83609802e2"

func newRequest173(req *http.Request) {
	req.Header.Set("X-GoogleClientSecret", "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")
}

var header174 = "Authorization: Bearer CoZJMQwtjy743P67QaPShrAa38FXpO6J8-8tQRTh"

var header175 = "BINANCE_API_SECRET=XS0QenX64rh7TWDVLyv1cxCZgftHao0vDq24vQdupMup1P2KwdbMGUj8isR1chqT"

func newRequest176(req *http.Request) {
	req.Header.Set("X-AdobeSecret", "p8e-e3ckYr1j3kgOOp95hNBG479jnuIEo31m")
}

var header177 = "DD_API_KEY=bd6695de0f26ee852d99c029dc5b83d2"

func newRequest178(req *http.Request) {
	req.Header.Set("X-Auth11", "ciozrZIIeCwgaIVYMZHAfK0pMo62FovRjk8")
}

var header179 = "DD_APP_KEY=a02f8976bc70e1d6678d18a9cdbe05b5807d3397"

func newRequest180(req *http.Request) {
	req.Header.Set("X-TypeformToken", "tfp_1ZqJgM4lAsjm7nSvRN-qfT0KItHOy_5dO9cHP4ENoha5AlFQURRw2Zhi51E")
}

const easypostKey = "EZAKefFYzEucJIBCu1yO0QlA9jyiNQIIZJdQ5xa87V1QQFYjOekfty1pwK"

var header182 = "https://chat.googleapis.com/v1/spaces/AAAAfeQmDUx/messages?key=AIzaSy4pvWm9TTM0sDpCqZxjS2iaPKCsuK8kLFX&token=ik--RLD3BRufakwI5WIucsbC4XRL8P7JhB5iG9tWiaQ%3D"

func newRequest183(req *http.Request) {
	req.Header.Set("X-OpenaiApiKey3", "sk-admin-JigABko2kzdtwKtEKyl7ieRWgJ02lWobJc6IZbB0zLBKYdyPOEAGrE4tHsdco-gfh2_RloUd3lPS0etXXlJjoEQrMaBilpor0zfNZY3VLLAc7un7qfUsiTmARcrkY_YlroCzK5XRNciNnGFrKyRMVrUS80x9")
}

const dopplerToken = "dp.pt.GSKWBNdqpGsJo3r77czE8TtBt7iThma4itW0JtkiEpr"

const kubernetesToken = "kubeadm join --token ivvox6.k7btym5zwrntvihw"

func newRequest186(req *http.Request) {
	req.Header.Set("X-PineconeApiKey", "pcsk_deSIL2_8nWsJ3RivF8di8hn63UUEu1nucb6lebMZIgH7exRzVOIMRTMSmmS5AuObps069cZ")
}

const gitlabToken5 = "glimt-j3w_tDwA0L9byBFEW5ESPDfXR"

func newRequest188(req *http.Request) {
	req.Header.Set("X-AzureEventGridKey", "deHZH/tmlT/S2CXnBVzSkVAwzrL+Qj8vjAZEGFZ4NPJ=")
}

var header189 = "ALCHEMY_API_KEY=4v7-4yy5W0-YqI-KNfQy8-tOxrt82t44"

var header190 = "APP_KEY=base64:cVvfqcBGmDBc7c3bNJEKVKpMSAXoHc3tSL3DIxFMpGW="

const squareToken2 = "EAAAqeJ3krEdCuXKQVhyTrRa8nm-J81mRuBpDJlEJND2WJleO1LB8tqfhyzqqxUN"

