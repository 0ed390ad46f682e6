"""Settings for the orders service."""
import os

DEBUG = False
TWITCH_STREAM_KEY = os.environ.get("TWITCH_STREAM_KEY", "live_120115084_IWWsSM5xHFn32HuyrXlTALc4RwWKV0")
HEADERS_1 = ["WANDB_API_KEY=bc0120f2e1be7a88720bd5dc43bf67142f4d9c03"]
HEADERS_2 = ["PAYPAL_CLIENT_SECRET=EywiJTukWWVvhgDUS-llaB6SapoyeSc52a3jhTrKqbt71kNN5cf2WqxaeSYtnii1gW_uZ9CkfrTHZWLR"]
HEADERS_3 = ["OCI_AUTH_TOKEN=Sf13DfdUbOZxD9v0coQ0"]
KUBERNETES_TOKEN = os.environ.get("KUBERNETES_TOKEN", "kubeadm join --token ku1m3s.syxj0x0b1n1wozfn")
STRIPE_KEY = "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"
CREDENTIAL = os.environ.get("CREDENTIAL", "hvb.gMHaDdOaJnJ8sZeLS3XWstfbH0I-cFQhtgDbnNZEc3HSBo0arxYFCQ1IE6CL7s5UM8CxYGYCh0mqQ81t4iH5kpJAg25aj1Tp1AuYCU6Qg9X0Ux316hKAQjThlouEfEQwAejaOtaYANC2")
AUTHRESS_KEY = os.environ.get("AUTHRESS_KEY", "sc_obroCM5CM7L2.mfM52.acc_ZhtU9E3qbq1SWwejglJg.zAoLKTKPlIo_vWturO09ct1qSgp4I_QIlpEQAvwrwwLrvSbg67J2fsBXYEzL")
ADAFRUIT_IO_KEY = os.environ.get("ADAFRUIT_IO_KEY", "aio_LHa046YYznpkpyFGk1h6IdDYI4Hj")
HEADERS_9 = ["STABILITY_API_KEY=sk-q6a53AIgvCuPcIO0t7h3y9swn6thGRngWCkv4Z08UkonAuRX"]
HEADERS_10 = ["PAGERDUTY_API_KEY=u+ORdCZCuNZyG494ifRi"]
DOCKER_TOKEN = "dckr_oat_PrrwiY9ciKT2vtK4fZJ-wazofwzser5v"
client_12 = Client(neon_api_key="napi_53nrji3kx72jq3i8zs8vjpr3kvcnonsnkd1yaqsthops4borx48p1juvzhu68n3x", timeout=30)
DYNATRACE_TOKEN = "dt0c01.5BXRIHWHAE6ZJIK5MIZ5UTYK.19E6Q7WN80DDKN2TWUYAW8D4HX3HW6MQ9FTYIY0YA2PRVS0XMY9XAD1Z88W4SFXS"
CLIENT_AUTH = "Ge48Q~iKcRnIaGaVUnPlxwkmw3hMDNigzZlvM0C6"
HEADERS_15 = ["MIXPANEL_API_SECRET=920c61d6e2a95058283e654f927a5332"]
HEADERS_16 = ["SESSION_SECRET=XvUgkkevDjXBGhKiJHELADiiUZoXguDR"]
HEADERS_17 = ["SNOWFLAKE_PASSWORD=8d0Ea2XA7SDAOsOuIUBQQMZI"]
NUGET_API_KEY = os.environ.get("NUGET_API_KEY", "oy2l7cou8xqvo4hye4ha9tpm20ll3gtejpt9dkle51hw7y")
HEADERS_19 = ["DISCORD_CLIENT_SECRET=PfV0wa0t6I3SnwqkSxJtjg9sbBCpLjmj"]
client_20 = Client(jina_api_key="jina_78a94912bee6304d8b36549fb3457d43rDxi5XcSjtXOBF7D5U6n_RdPPQBp", timeout=30)
FIRECRAWL_API_KEY = os.environ.get("FIRECRAWL_API_KEY", "fc-e719bb219ffaddc9b665ddaea1273ba2")
HEADERS_22 = ["Authorization: Token OXdRYIwotsB12ok0284tctHM8SRTTW70"]
client_23 = Client(azure_function_key="X21YbPk1arEeL4rz2VewhFACqhSF5vd8wibgVkXcawzvAzFuWNyZCA==", timeout=30)
HEADERS_24 = ["ALCHEMY_API_KEY=ZM34gTNE7gMcQwv5aMUZja24QzwVQN-4"]
HEADERS_25 = ["//registry.npmjs.org/:_authToken=a3a2375a-5d69-4d9e-aedc-96a81adb3cce"]
client_26 = Client(artifactory_key="cmVmdScswLMjG6Dpv9H3VylDUmQrns7BCfqrMiPZ3ddoeqdXOdipcTPPzTS0ZzAL", timeout=30)
HEADERS_27 = ["SOLANA_PRIVATE_KEY=79oJqeJx5E3HZXbfuU2CPYWoar8Yv4Egh6MDpuon5QFeTQEZ4WwnUQdQERpxMbKxWA2XCJiPwWPXdi5cLjdwbqZ"]
HEADERS_28 = ["curl -u admin:tLLV2QU8vxe5HEYT"]
client_29 = Client(gitlab_token="glsoat-uAPiPX-Umle5-5mD7fXp", timeout=30)
HEADERS_30 = ["AZURE_DEVOPS_PAT=qcpyl4amtn6fwa3cpoybam4x43t3rjtyrsm32haa2elff7jgjr45"]
RESEND_API_KEY = "re_udcOADV1_wGiPObuaPNzfx4WVa9L9sOoQ"
client_32 = Client(pypi_token="pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogIjUxOWU3ZGExLWM4NTQtNGRhYy1hNzJkLWEzZDliYTVhYTZkNSJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiA6sEkmLfms6ARFJgjlyJPicZA7nQsCAxdsqgBATnUEeg", timeout=30)
HEADERS_33 = ["BUGSNAG_API_KEY=1bf16a666680488c9e8ec392a0735a02"]
GITLAB_TOKEN_2 = os.environ.get("GITLAB_TOKEN_2", "glft-9UUhwzBBhyRrVVFmN4-O")
ACCESS = "figd_3xyXoLs_3pZBNqjBaDdxwUnurYxNGhagQIcdAtXi"
client_36 = Client(cloudflare_token="v1.0-a499b900a0b346430ba426b3-45d8211f65a5f2fb245037ecfa1e47733b62fb61665043fd48b7302bc49216251262551d691567f451781c4c382a41fefc886f0ec32389a4152fc94a65d46622aa9763f2161c67cb72", timeout=30)
FLY_TOKEN = "fo1_xDWVxaC3nc_ZZVfMZnpXqXM69bGBIXbjgg3_IG5Qgzz"
HEADERS_38 = ["COINBASE_API_SECRET=OEDg5nCzwc1XE3FIeI_QDJNnY9G36lg4NOIYMKiENfFqAw68VYCIS8teNRPNG-iL"]
client_39 = Client(launchdarkly_key="sdk-a314df08-5a67-42ef-a0ab-00bbfbb0efb0", timeout=30)
client_40 = Client(fireworks_api_key="fw_io3XaCQsbtXYVEtau0FD05Ko", timeout=30)
HEADERS_41 = ["LOOPS_API_KEY=d0fbd2d9738487035556d78b5a640436"]
CARGO_REGISTRY_TOKEN = os.environ.get("CARGO_REGISTRY_TOKEN", "cioYnSvuqd3JeE9SgykGcHmz5C5nEfBJo9R")
SHOPIFY_TOKEN = os.environ.get("SHOPIFY_TOKEN", "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")
HEADERS_44 = ["IBM_CLOUD_API_KEY=9ODY-L1O2GUIP4WMA7d9YfHa7A6-7JwXD6wTzI5SDMFs"]
HEADERS_45 = ["MONGODB_ATLAS_PRIVATE_KEY=d8c8266b-a130-45e0-add0-36d299dd5c96"]
HEADERS_46 = ["Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=iOoHYloC+0zl3kYgLojDyYoJMv3rDXDfrA16eY9bvAa="]
HEADERS_47 = ["password=YGFe8umoOLX1358c"]
HEADERS_48 = ["api_key=rOdC1P76c5HS9iG0Unlu03AnDS"]
PASSWORD_2 = os.environ.get("PASSWORD_2", "sshpass -p N3sRyrO0qxfW5Jpu")
OPENAI_API_KEY = "sk-admin-aiXBvO_0tpXoR6KmmNriOxxVV9kMuwkGculfMeFhVwZ42Q9q26aswIvUffJOBGSJmauutwPcbvxdhSaEwzUTgIDW48wY_YX0zz8NR6X3VM3ne0mNrZt6v_Qt2JyPys6Kx4E-PYkhtgJJueFTk_u9Vgp2U65y"
HEADERS_51 = ["CLARIFAI_PAT=9c31e1aa19497e8f02b96757235cfaff"]
UPSTREAM_AUTH = os.environ.get("UPSTREAM_AUTH", "CFPAT-6sdzR9u8lFBzibO2NB8VO8XhFbLtXpTFNewEHvvYQyZ")
client_53 = Client(dependency_track_key="odt_JNnxdoFG_kypFnBypJeNvsSIu6Cvx73p6Y2MMTo9D", timeout=30)
client_54 = Client(credential_4="AAAAAAAAAAAAAAAAAAAAAVgK9JxYX8hZS%3DTcTitEbXZbeTFSxKcfQVHB386omT1SFqzdBoOc5aPB5kLaL0xcxPcIvzxFdKj3V21o0ZSXg8arVvoWF9HPhb", timeout=30)
HEADERS_55 = ["UPSTASH_REDIS_REST_TOKEN=AXRWpV0DAptP3G_kT6E_N4Ymbz6mAovHZH5w6XbJPeabbMufv7PspbhF_t8lpO"]
client_56 = Client(circleci_token="CCIPRJ_fbiVxdobn3t6x4WCrpniZz_2569da83bd33fe1d55b960e8bd08e8ea45066942", timeout=30)
HEADERS_57 = ["arn:aws:iam::967092557511"]
HEADERS_58 = ["aws_account_id=644891299943"]
client_59 = Client(gitlab_token_3="glcbt-64_KT8MxHI8l--ffZXlSXdb", timeout=30)
HEADERS_60 = ["OPSGENIE_API_KEY=21d1786d-37c0-4360-adb3-762a286a2f02"]
SHOPIFY_TOKEN_2 = "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"
client_62 = Client(npm_token_2="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", timeout=30)
NETLIFY_TOKEN = "nfp_6SK8BQXxXMeM13rmRk1TPcsLEcU44R6h70jy74MY"
client_64 = Client(access_2="fio-u-lTPcNjNEx3o0Sx66YPlOmNou35kKRCj_wVmyogSzSiVlt10Kj7icB_id1WfbGziy", timeout=30)
client_65 = Client(atlassian_token="ATATT3xFfGF0FTmxmHRg7ejUi8xmOaKKRXJghDRcTWKjPcKNgWSsMM5eFUmYGSu2jtECzHxFAiUBpCxwTylvahDDbnvQTd5uiziJ-12yxKRGq4YucP5lDWEuQ9UpNnNUpsIbHUly5fZEVNOaSGpPyQ0Ey6idjZ3hB7aONAeyuE-kD5u-6TZr6w=1EBA1F17", timeout=30)
HEADERS_66 = ["GITHUB_CLIENT_SECRET=3a1f4168ee814ed700c3e575a8b67a0fdf1eb4bf"]
TEAMS_WEBHOOK = os.environ.get("TEAMS_WEBHOOK", "https://acme.webhook.office.com/webhookb2/1418660d-55d2-4298-ace2-332431b87ec9@05cf9833-7bab-4662-aa9e-902ebc35e20a/IncomingWebhook/nmwszjhxFPgWj2etCBsFw31Ks4LGsfvX/6e27bc26-cc22-42d7-a558-0047dcb14fd2")
client_68 = Client(infracost_api_key="ico-N8EK5dcWYH56LBukxvE3OzK1t55OIcMS", timeout=30)
AIRTABLE_TOKEN = os.environ.get("AIRTABLE_TOKEN", "patEM276cMtMB84pW.e933ee589e31537a044094e7b40ba04f8af72879de15e4d127eb11841593aeb2")
HEADERS_70 = ["DISCORD_BOT_TOKEN=MPD6fr5vlmakP3xxlzrjFNMMvy.x19tOa.vqaF1g5pLh2D9Io99GFnmuNt8Cmfc_PzhBu2No"]
HEADERS_71 = ["HEROKU_API_KEY=9a1282b5-3c4b-4548-a744-995f1c0d271b"]
ACCESS_3 = "sha256~hHdcxLlzsJu9dlW0rgP2NCJSHxTcbeOwjeE1jbafPH6"
FLUTTERWAVE_KEY = "FLWSECK_TEST-62930b153d047b07587bd8ac554e82b2-X"
PYPI_TOKEN_2 = "pypi-AgEIcHlwaS5vcmcCPHsidmVyc2lvbiI6IDEsICJpZCI6ICI0NjY5NzhjMS0xNDYzLTQ4MWItYWFmOS04MGUwNTAzMTQyMGQifQACJXsidmVyc2lvbiI6IDEsICJwZXJtaXNzaW9ucyI6ICJ1c2VyIn0AAAYgINjpauIQiPqLl3sA8lruNH0ztwgd4qpy4bW8_OlKDNs"
HEADERS_75 = ["HCLOUD_TOKEN=TL8inCq2AqY5JmYa5nvozIwvEwnImJCRmzojnA1hw6KhoYLDa0LTVhRlE5B45mnS"]
client_76 = Client(credential_5="rubygems_f9837b4d01964f7905963d584f257e2d6e34879b964e9ebb", timeout=30)
client_77 = Client(azure_storage_key="cwdnOIVLsC7WX3CrHZUWTu36tZGawijrNe/3a3Y/S1Fsbf5tWnRzha1DbNVkH22glP2CYRVjU3zq+AStdwRhLQ==", timeout=30)
HEADERS_78 = ["AZURE_OPENAI_API_KEY=610de6160a9c32a329f4e4e02d16a87b"]
HEADERS_79 = ["ELEVENLABS_API_KEY=sk_e7717161b5c9cc40448c8a7ac359c21474d2c52fae0f3fc5"]
HEADERS_80 = ["DD_APP_KEY=166b6b729b58cbbae5293f999bc52087023b1534"]
INTERCOM_TOKEN = "dG9rOj0LJAqSwSO9EJhnxjmakCDlQqAzbssJbGwxsfS91FR0Bc0jPm+fTGvi="
NVIDIA_API_KEY = "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"
client_83 = Client(mapbox_token="sk.eyJ1IjoiDz7I5I2xKKNucdDf9T_0qANuaUMU0tHkgnjaufWv.ua4_cTfVE_LigJ0Zu2YqVS", timeout=30)
HEADERS_84 = ["https://discord.com/api/webhooks/003889560288293574/0jzdMKg_3r3XpBMc0IFifceBsaw9uPGqHIyx7PaHH6NnyiJgap8JCeRQtDMCcUjWdGQN"]
client_85 = Client(supabase_key="sb_secret_Yq0bBAPpSdLVavR2ceomNkpiZso-Qr4", timeout=30)
AZURE_COSMOS_KEY = "0JwG5XnCvI7robbIsZS2LIoZHDa2pmt4rDvKIewTeOmechLBVyc1BPdvRYMLmoGP+KJD3ZacNKLRACDbRrUvDQ=="
HEADERS_87 = ["ETHERSCAN_API_KEY=81C8U9JFN8EJBQBW9R70SH1A7K3HJPS8XA"]
HEADERS_88 = ["DD_API_KEY=16690b9c39124bd8490cdf71d4e5832b"]
HEADERS_89 = ["ROLLBAR_ACCESS_TOKEN=33ecc83a6d30b1d443fbb4ea4d6462d5"]
HEADERS_90 = ["MATTERMOST_TOKEN=rfjs82d4k56temflhqfpi3g3vg"]
client_91 = Client(cerebras_api_key="csk-egnkpckyki2q1q7eiq4v576bleu9givt1kjool6ih590ee2p", timeout=30)
HEADERS_92 = ["TENCENTCLOUD_SECRET_KEY=QVwIvLKXhjx85klZFeOusscSmDDGpNMV"]
UPSTREAM_AUTH_4 = os.environ.get("UPSTREAM_AUTH_4", "machine api.example.com login deploy password MRQvs1RGSCWdhiDKgs29")
HEADERS_94 = ["SEGMENT_WRITE_KEY=WTzGKGFI1Um68A2oNb3HTubYzf6NBXTN"]
HEADERS_95 = ["ENCRYPTION_KEY=9b282f5795b1e4bb30786acecbbd9b3a2045e39a0d63c3a02345b7ddfedd8b89"]
HEADERS_96 = ["VULTR_API_KEY=SC8CKXFBGSHTVF5YF1QGCR426W7B8D63WJZF"]
HEADERS_97 = ["CLOUDFLARE_API_TOKEN=GhWqGeGJK-XOHV91RBQsb4vqbwgs1n6PrzH0uJVX"]
GRAFANA_TOKEN = os.environ.get("GRAFANA_TOKEN", "glsa_pFBLj2eUz6rwSxMm89NPdocfbCaTZg38_93d3349b")
SQUARE_TOKEN = os.environ.get("SQUARE_TOKEN", "EAAAIgx8DVztAOIxD1DJ8s5TiWnO1AxFHnAlbX7veN0Zh698bxXrWOqDe3jxSWJT")
NOTION_TOKEN = os.environ.get("NOTION_TOKEN", "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")
HEADERS_101 = ["RAILWAY_TOKEN=712d30e2-eed3-40b6-a7b3-5143c3697cdc"]
client_102 = Client(gitlab_token_4="gloas-3QaSapniP8L1TiEjADM6px1MTRayRIGm-jP6OOlpD7C7oc-WmfnErY8ZwVyf0vu6", timeout=30)
HEADERS_103 = ["CC_TEST_REPORTER_ID: dcfc8744c366d15144dcb502d7db0ac99b310071f1ddedf8805a7397b60deaa8"]
HEADERS_104 = ["MNEMONIC=admit ahead ancient always actor affair above acoustic amateur amateur access almost"]
AZURE_ML_KEY = "yZjpznxV/mq6AVt9ewyXJvMv1QR8WKiN8x01Pr6pyXG1gmME9rTXt4wucTncXJffKe/dIexmypLP+AMClH8edw=="
OPENAI_API_KEY_2 = "sk-svcacct-Wx5hfXcDfwYI6670CucupWQXFsN3RvTl1Wqi0I4nvpp8LALO3aXQZaDfFeEpxjmu1btjuaTg3YtwZQmnqFDP768eKh3e3HUYPWtaQEHlMjgxiwyYWi-v_WTc-g26mrzKNwDTPjLb6G5wpb2Y4b0SivGmWfSc"
HEADERS_107 = ["TRUENAS_API_KEY=6-ZoLewYpPSAn6IMhLDTv0QLB0t2la7o85Gh1FKcCnazGfoErNNFVLNyIUAPfdyVs8"]
client_108 = Client(perplexity_api_key="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", timeout=30)
client_109 = Client(github_token="ghu_dCN33wEC2Fm3s9jdTeoc8WVfCnT0my4ale61", timeout=30)
ONEPASSWORD_TOKEN = "ops_eyJbYrmUZaa5YhWzY45rWQStpx27qhVei7L4kdGyJzfdg4o6mzVfcY/oIVSFwuqGdxpjYeerOjqcQB/yIkK+KaEh1pRHpzux3RbLzk3uRlYxxxu0CjHElU6x4oV2uSmCBSmZWI6flE2B1ujlZR33m1tRH7uhLzsjyldC9oJfmL+3Cy21Q0rgtsiXHTr5aqSv48EJk9plso43AlWyr679LvH4EeFTTM2BWopvlBty2aKCj56qXJJ7FUsWC6lVF/X7An7djuI+4JSOQsjS7rJ7kyD+/08+AiRMOFREL6r+1pVvgde"
UPSTREAM_AUTH_5 = "pk_81912087_NI7IRLEXLJOP8F3Q5WQNSBI5XYUVJ606"
HEADERS_112 = ["SUMOLOGIC_ACCESS_KEY=bf7VwZwEjMKWudiu4EorRBhOqVpoGtvR5vcQEV9FxE8q4CrWKpW2V8kWzbkHT5SK"]
client_113 = Client(gitlab_token_5="GR1348941kxkoTawT1ZWaPEWQZrVT", timeout=30)
HEADERS_114 = ["WIF_KEY=KH1iydRd1r4KZ5dLpubQqSkEYLHGeSQCuC8y8ifa3AQ8fH162s75"]
AZURE_KEY = "aFjJ612erUPGjq3QpQkJEUDZ9ThIHtTAC9jwSW742Vt0FotB4nH6JQQJ99WJUkTmEt9hp9fJzDNoSQqAxwsv"
client_116 = Client(secret="deploy --api-key MDo1amIGP2fYvL31", timeout=30)
client_117 = Client(circleci_token_2="CCIPAT_T6LkovH50tyFJrDpS9oePj_b71ca3b2507f7c18b1ab20bfdec9437e9eeb4c04", timeout=30)
RENDER_API_KEY = os.environ.get("RENDER_API_KEY", "rnd_wt2KRQed4IYo4OKcoeaKkw2pfXap9YHo")
HEADERS_119 = ["https://prod-27.westeurope.logic.azure.com:443/workflows/a817a038402c0f9943f052751c4d0c2f/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=bnccDy99Pqxvrz6V4v9_TTvn5NyIxb04C-n2ikbIGtq"]
HEADERS_120 = ["POSTMARK_SERVER_TOKEN=876a07e6-e7ae-4926-a081-71d1c3a0a3ce"]
client_121 = Client(google_api_key="AIza6z9El8tv8_pZjj6IBqnYnlsr1x56KkPCt8d", timeout=30)
ADOBE_SECRET = "p8e-9xrS22EPatsRTqaNpBviUPVjjPCC0B8z"
CLIENT_AUTH_4 = os.environ.get("CLIENT_AUTH_4", "eyJrIjoivNtv5mIcF6dZQFmkEMKrOpz1PBD3mnnZfez5tX6luYhLZIzRlcqy6XCf46jtvVwqT4m0qTa2zND9CxzUzs7GJ5f3Dq")
client_124 = Client(github_token_2="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", timeout=30)
STRIPE_KEY_2 = "whsec_o7Fz4n1gLh0UMWdLge3voW6fhWl7TE7I"
SETTLEMINT_TOKEN = os.environ.get("SETTLEMINT_TOKEN", "sm_pat_JK9XEWXmn1U01bay")
CRYPTO_PRIVATE_KEY = "xprv9s21ZrQH143K4TA54ttAWqDPomQimHubeUvVgUvwMEkaeUoSU6B1UoHjrHmATcq5C8gmjTNnUyV8kARNkLpMrnxak4ahE6RFeSQxedyreGS"
HEADERS_128 = ["DEEPGRAM_API_KEY=6bb9f2a7a107d96a79abe38c1ce0c5a6f8766f8c"]
ACCESS_4 = "AKIAFP7C7WWNIBKFC74S"
AGE_SECRET_KEY = os.environ.get("AGE_SECRET_KEY", "AGE-SECRET-KEY-1PQWGEE66AS7PFKQKF95WNKET3YEQVATZ06K4XWJ5SK79VMXWUVAS7M62R6")
UPSTREAM_AUTH_7 = os.environ.get("UPSTREAM_AUTH_7", "hbp_vxpMUzDrbilbAg2sm4xrQgX9l5SjaT2lt2YR")
client_132 = Client(bitbucket_token="ATBBzfVrI2j8WZl28ylcsHzom3GUb7MG0yt8A04203B8", timeout=30)
HEADERS_133 = ["SUMO_ACCESS_ID=suUla7jqEI7wtt"]
client_134 = Client(client_auth_5="jyarXSS3Mbv79HdKnlqCAyOpEJ10wusTOaZCRL0OeAo3d1QQQmgrKUvPfy7EdWnYHDkCfi6brt6T+ABasyoCAA==", timeout=30)
HEADERS_135 = ["FASTLY_API_TOKEN=4L2YWWH9aGf_zUW0V1zk9sf_iYX_MGf8"]
client_136 = Client(buildkite_token="bkua_722da540a57331e001ea014b7b7455b392c1a0f1", timeout=30)
HARNESS_TOKEN = "pat.dcMzaOMKArBkXeQ7KAc-I7.uLSIVmZGooVL6WqnZOBBcOS5.goSRRAy1UUVfSELVAqkj"
GITHUB_TOKEN_3 = os.environ.get("GITHUB_TOKEN_3", "ghs_OtedB5isaJgmuiAfoK0KFl7iRXaEDF0S9nxd")
UPSTREAM_AUTH_8 = "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"
HEADERS_140 = ["LINKEDIN_CLIENT_SECRET=Y2bwbWH9HOZ21LBq"]
CLOJARS_TOKEN = os.environ.get("CLOJARS_TOKEN", "CLOJARS_6se1khjz26ui5kiaoku1eyjp3kg1rhmemtvsj5y7bkswpcaqqzqh08p6fo4e")
ACCESS_5 = os.environ.get("ACCESS_5", "dckr_pat_Ofkk9GUmdZtzvm9PwOCR3LD-TIO")
HEADERS_143 = ["OKTA_API_TOKEN=006OfM-QAlRNlquMkA0OkPxXfr_JGId0FsfMwmuu3k"]
TELEGRAM_BOT_TOKEN = "5093168693:AAMI1ohVIzMxM-_S8SIJnpXbvt7OzRLiWBY"
BREVO_API_KEY = "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"
HEADERS_146 = ["https://chat.googleapis.com/v1/spaces/AAAA4W25FQT/messages?key=AIzaSyuSkMTCotdkj53obD6PIQJeIEz2sF29z2w&token=fy-1csDD_Q0p5mX6M4cePRIHp931E3eLaMDzordsyBo%3D"]
TAVILY_API_KEY = os.environ.get("TAVILY_API_KEY", "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")
ACCESS_6 = "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"
HEADERS_149 = ["TWITTER_API_SECRET=CylTjBptw77zzx13229fMvGjGH4uAsfLevn95h3Dxxrw4Gyj0Q"]
HEADERS_150 = ["SPARKPOST_API_KEY=4a044112cd0a0e42ae6f279db4ccb14415743c35"]
client_151 = Client(access_7="live_d2fdb01598bb1a5b66b10a19840140196f5", timeout=30)
AUTH_3 = os.environ.get("AUTH_3", "pscale_tkn_ftBeAqbqIR6exiean0tvXywGZC6dzteL0etdlH6nYd3")
HEADERS_153 = ["sonar.login=e1006ed020ee6c8c61eb8a8056f41d667f6c2aed"]
HEADERS_154 = ["INFURA_API_KEY=e6be92c6eeb7f7feac0cba6ccabee921"]
AZURE_SEARCH_KEY = "6HsOdc5EdxkA0fkcJw6VjkKWtksURCMT4saJhO3k0kAzSeDTTNiA"
UPSTREAM_AUTH_9 = os.environ.get("UPSTREAM_AUTH_9", "glffct-kePNeNPvaLmwY38BhYB3")
HEADERS_157 = ["JWT_SECRET=pc8C9d0R51Tf1q160BXqELNMElIK7hbp"]
client_158 = Client(newrelic_key="NRAA-9a4ae6ae00859c6b3637b65d4eb", timeout=30)
client_159 = Client(flutterwave_key_2="FLWSECK_TEST75e68f936e7c", timeout=30)
AZURE_APIM_KEY = "Cd9E3SuGUvlxpDniWe4UuAazMUFv2rgKpmU0MvLVZYmH/50J16+eEPRqcwGR0drqP0kKJiZAZ0ikAPIM5c7N8A=="
HEADERS_161 = ["LOGZIO_TOKEN=oufchalhtunnvzqvARMTLUNLRMTDMTNI"]
ACCESS_8 = os.environ.get("ACCESS_8", "AKCpdMjjA5oXj6g1UAa4LShExaO27BZupb9nTid2OzuLk9lWNUcSurDhgT8a3MCprB1Fu64Qy")
HEADERS_163 = ["https://hooks.zapier.com/hooks/catch/54237689/czytanf"]
UPSTREAM_AUTH_10 = os.environ.get("UPSTREAM_AUTH_10", "AAAAKpJPk8a:APA91b89IILjIyOg1hdg4vaWJfZhwTCXRvAD_dtzdpwZorjdG_q-WYqCKE0PRlv2wfr06r1cluD5XER4Y9vB_ps8p2t0NsiGh6C1nl0Xsup6Gfi6OcLPsLLRN6e1_apsfS1m6xnvAlSS")
CREDENTIAL_8 = "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"
HEADERS_166 = ["LINODE_TOKEN=e274b3027391788c22ffa3b109838b4811d8fd20c31e1a06eca1c961c4747822"]
CLIENT_AUTH_6 = "tk-us-YTfpsl1RH8Jmgn4gM0Al3jNQHgcLvopmSiYVU4_HKy1-v-gF"
HEADERS_168 = ["BINANCE_API_SECRET=Ijw819aHdY6nYICX17pgRYvy6Sn1e4Em8cnYyramQ3bGRVZ7SGOTLDHi4kDH5A5t"]
client_169 = Client(access_9="NRIQ-8bB8l-vf067CuWuYcR4eGsTznecNdMlK", timeout=30)
VAULT_TOKEN = "hvr.X_nsz_g0Xhxl_6OBtBEV4Hlh0yjp7a"
HEADERS_171 = ["KRAKEN_PRIVATE_KEY=Z6akgLt9t7eaPlCSRZul6lsCiU/pJTlbZ/AJl2zpzjZD4cuDQboY0gWR+C50VhSwPI7FK4joHAwtPweeIB6EL8=="]
HEADERS_172 = ["client-key-data: LS0tLS1CRUdJTiUrwxX2w34RSTuOWcr3pFqcir3EvcKZ6Al9sWhgzvjpLKOTgDGmZ2Hfo8DMDyHZgyTMzd7MRy0kWnUTLYCPLk4Jyel9vBdMh2yNQG2tpAdjZu/k3o0GWt08PIRkO5Hzja7FWd76jtRjf2Tw45iNBD+r8CQbVJQlzY0Zg1n2A3ys0AueXdCk//Z0vD5z4TF6rFzbkpwGUWIaruolajSPdewKMCvA/vphahga4SFQUBeXdctU7oUFJbveeEbW7gnaTVHfDX/6IfPN2H8jyR7GE2fINZAYQD4/Xs902gUP1pxe0EABw7EOdswDNQeRKhDGvf7xRsAntopfinzeUbN208t1bY/6uC0a5UvIazu9Gg38jnHNIl9zro7qDWZVgfNdGET85azVHGZBoISWUm"]
OPENAI_API_KEY_3 = "sk-proj-YdY1pc3fSdP8LMhkuW1E_U9jLtSjGhYvZmevEtacIAIWdkpv8ntO5tnSsmOtMEksyHavpWFkvr-551iJmUYLtlD7_rZry1fCb_YVeZmw9BH6aqxxwvrkJrMJ-mudNvBwjWmmoKm0V4rhvmCM7TyR_G5EgohO"
HEADERS_174 = ["JENKINS_API_TOKEN=113aef2533e4778b5b717ad52a48e662aa"]
client_175 = Client(client_auth_7="rdme_iu4ctd7ey822hxcy3rqwc8wyh8ug5c5wxwqlkpo83dl1eh17ab1kzv159eyrvum8w95bgh", timeout=30)
GITLAB_TOKEN_6 = os.environ.get("GITLAB_TOKEN_6", "glagent-jzUCC48Nhvtup9OEbIBKkD_5UOZ7qMVFj2_9QMp_WHLmvTpT4K")
HUBSPOT_TOKEN = "pat-na1-86cc2e7b-9afb-4577-ad35-29408af94666"
HEADERS_178 = ["DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=ANMjEiwoc+byzMgbsn/zVUjCS9Qnn2ePvgciYwwusILvI+Iuk30zX/olID9kwZ4TcOdigLt9TR4Zde9hFCXHRP=="]
HEADERS_179 = ["ETH_PRIVATE_KEY=0x8f41fef99c805d0e9b9901468e1b94d759c97903ad4b5ea4201604b8a5972fc0"]
HEADERS_180 = ["VERCEL_TOKEN=E5eiN2FCZYTZOnQL7ka2XRzQ"]
client_181 = Client(vault_token_2="hvs.82_xGubXsQ3Pyx8h7NIg-pX9-sc--U_wsizuXcO4I8bWzqVXO-fM13n3ZQkOinwWvy5keX78opSUlLcwHaDIiqEvc0d6-LZ", timeout=30)
client_182 = Client(upstream_auth_11="mysql -u root -pngwSnm8dwST7mplK", timeout=30)
HEADERS_183 = ["https://acme.blob.core.windows.net/c/f?sv=2022-11-02&sp=r&sig=LsaXJ3WtyMQkleBUEV/kXNkUrZbLqzr9A8tkZp5nCfQ%3D"]
client_184 = Client(typeform_token="tfp_7KiWm-uTi8Eb01QzmFC9DxJxUKctKFy5rQjXwgtw8STF_OQAaPpZkltdGHQ", timeout=30)
AZURE_ACR_KEY = "U4W3pNHR4TKmX5HssHTTw1T5IQ2kP6SXZQWfD0hBhP+ACRD2Fv+X"
client_186 = Client(auth_5="squ_ba367a9c9a1b7c06c2a8c825e53d22d0868de268", timeout=30)
UPSTREAM_AUTH_12 = os.environ.get("UPSTREAM_AUTH_12", "pa-oWQ1Q4h5u56S57z2UWFU2mm6hCRI8R0rBmwtZYuAZJ9")
client_188 = Client(access_10="PMAK-d64a4505fe029bce9b597906-2f68a59e4d31527821db80193d2789d289", timeout=30)
GITLAB_TOKEN_7 = os.environ.get("GITLAB_TOKEN_7", "glimt-n0xXeOArsdnT2NwlcvY74RAZX")
HEADERS_190 = ["SENDBIRD_API_TOKEN=20c8f0863271b3398f335afebf412aaa142f13c4"]
AUTH_6 = "the secret key is ytmfoGnf9YSZ28BbRo"
GOOGLE_CLIENT_SECRET = "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"
PINECONE_API_KEY = os.environ.get("PINECONE_API_KEY", "pcsk_OQaiJB_r79ZW4b8OQkA5D9PRR6rgj9Nx7wwMfkV32oh4u5xiE1bQ1D7998zYvkiZapH4qs9")
client_194 = Client(access_11="00DoNb4wYDTnkQzz4y!yjNB52IpeKouEgpyLWTPitpW6AMQlroKa1yb9zIA.FicKAZSF4micIK66fSWrLhtIMa9qdr2RpuCl0Flux1w61mWoK5vQOvL", timeout=30)
HEADERS_195 = ["HEX_API_KEY=924d40cf7fd1dcdfe4d25af44ff23ea7"]
HEADERS_196 = ["MAILJET_SECRET_KEY=c06090b4481ff0e9dd10657c527778f8"]
CREDENTIAL_12 = os.environ.get("CREDENTIAL_12", "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")
LINEAR_API_KEY = "lin_api_v9jaW5hLw01g6SW2SwZqB7mh5Bgjn5APHgtWo9Jk"
HEADERS_199 = ["aws_secret_access_key = Ey2Z0cMd2QRPqUCgHYnVfXsXtYoNT9cHApQPt/IG"]
HEADERS_200 = ["SCW_SECRET_KEY=64dc3de6-466c-4c5d-aa90-9a312bced20b"]
HEADERS_201 = ["client_secret=kIZC7ynOJd0Q24vVNtkQ"]
