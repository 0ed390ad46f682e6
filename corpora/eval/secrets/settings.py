"""Settings for the orders service."""
import os

DEBUG = False
HEADERS_0 = ["CLARIFAI_PAT=924d40cf7fd1dcdfe4d25af44ff23ea7"]
HEADERS_1 = ["SUMOLOGIC_ACCESS_KEY=NPXcK3IqSubg9cPgzHkFIXIgudxipkVy8QbkBzG0kYkZpGj08KVdhtL2MdCmo9bM"]
NOTION_TOKEN = "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"
HEADERS_3 = ["SENDBIRD_API_TOKEN=c60cac67f65aa16ff7c724b56cab51f3374eb8a8"]
HEADERS_4 = ["JENKINS_API_TOKEN=110a858b8d6173e222293d78bacff0e3b6"]
STRIPE_KEY = os.environ.get("STRIPE_KEY", "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")
HEADERS_6 = ["OCI_AUTH_TOKEN=nLRWJ9VNn4vHrJw9yqHm"]
HEADERS_7 = ["ROLLBAR_ACCESS_TOKEN=6353b0801cda6f75f33415e7dba9da28"]
CLOJARS_TOKEN = "CLOJARS_j4f0z315lar86bl5a7bo78plrcqisqy93bq94eub4lgf4juyemaj967kl1lu"
HEADERS_9 = ["GOCARDLESS_ACCESS_TOKEN=live_dy8xoqw-QZqkPIZBusptzmfA35L7GanzOeESL9Jc"]
PYPI_TOKEN = "pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogImY3NGUyMmFjLTEwM2MtNDI5NC1hNDc0LTEyZmZhNzc1YzIyYiJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiAQoDCBZ6xhmZUAFfFxguyt6mXCewlgmXoBRF8TinIbzQ"
CLIENT_AUTH = "glft-zR3ihvGrHl11DG50KdVi"
client_12 = Client(auth="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", timeout=30)
PLANETSCALE_TOKEN = "pscale_tkn_3CoBxo_EnQPqNr57oaTtb7GaC735RfWo0LWP-THbBOV"
HEADERS_14 = ["JWT_SECRET=EgbVPEtIOmWnhKirmOxE3l0P9GC9c1T0"]
HEADERS_15 = ["SESSION_SECRET=VVbTHXIQVlN1nhrb3zJr3b6srGvEe4ZD"]
client_16 = Client(honeybadger_token="hbp_1Uk2iv3AfmfeTAMwYU5TAT5nh6toZMVDwhQc", timeout=30)
client_17 = Client(rubygems_api_key="rubygems_dc1fa1278bfc33c64e4cc46accec2cb4c0acbf6023b2cc4a", timeout=30)
HEADERS_18 = ["WIF_KEY=KCp8NzVBHamUNBT3ixyJUWZQnBoNWf5HC57ZdJRwF5rfQsBpPBSQ"]
client_19 = Client(pypi_token_2="pypi-AgEIcHlwaS5vcmcCPHsidmVyc2lvbiI6IDEsICJpZCI6ICJkYmMyNTU0Ni1iNTJjLTQ3NzQtYTU5NC1iNGU5MDkxNzEwMzYifQACJXsidmVyc2lvbiI6IDEsICJwZXJtaXNzaW9ucyI6ICJ1c2VyIn0AAAYgPMTZFJRi7qSQh0t1vTkVsdUiEJKdRiRTWXIpwqlDgBQ", timeout=30)
client_20 = Client(azure_storage_key="dRtw/aOyoD94J9GEepEt12pdlukcoBmQYaMNO43ahP+1wdPMgcnOqN0c+cwhIipBdhA0+J/ob0UF+AStUlfLgQ==", timeout=30)
HEADERS_21 = ["AZURE_OPENAI_API_KEY=6c0cb56c372e2d55c71348463981503e"]
HEADERS_22 = ["BUGSNAG_API_KEY=f2bf39f20f854b6e0c6a00b9e94ac228"]
client_23 = Client(infracost_api_key="ico-aOVKLuwP2B0nZkzyZsesSt6KVIOIA3CN", timeout=30)
HEADERS_24 = ["MNEMONIC=almost actor acoustic afraid amateur about absorb anger alter abuse amazing accuse"]
DEPENDENCY_TRACK_KEY = os.environ.get("DEPENDENCY_TRACK_KEY", "odt_N1TtCHZt_RKW6tvp8ESCla10xhqU9UGEv2nI5vfx7")
HEADERS_26 = ["AZURE_DEVOPS_PAT=jykiwxk3ossyhukqfxmajklisoulwvxsg2h7oiz4ge4axpxchbql"]
GITHUB_TOKEN = "ghu_sxP3i3LnPDFWBKq1ou0TIiE7bn9Gc70IReL7"
GITLAB_TOKEN = "glsoat-bJ7SQNRSRhI6k5oTM_c7"
client_29 = Client(github_token_2="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", timeout=30)
TAVILY_API_KEY = "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"
AZURE_IOT_KEY = os.environ.get("AZURE_IOT_KEY", "vLPXh+Z3O06xD6HU3ANuHeY5zrrmejpWZAIoTFBaof6=")
HEADERS_32 = ["Authorization: Token E4yjs5w5v6WvXBf2pjlghDKc3S1YWS79"]
HEADERS_33 = ["ASSEMBLYAI_API_KEY=eae9f1407ef00e33eb59dc26abd7e187"]
README_API_KEY = "rdme_zj6oq75ujmd5f8nv669iyaj2ddgoqat6qhtg4qf4qp2tgik5zaasr0u3qaoi6ky9lzljbe"
HEADERS_35 = ["SPARKPOST_API_KEY=d068ed556a4e43293148573cd35c6735930e66dd"]
client_36 = Client(supabase_key="sb_secret_Xc1Purh04Rin22UA0vfxfEa3ZRk_dv1", timeout=30)
client_37 = Client(cargo_registry_token="ciopB5XHJB7HKjAQlBmvXnj6HThLcs37RVY", timeout=30)
CREDENTIAL_2 = "NRAA-f2d7e3d3ad330e7e50adb190354"
HEADERS_39 = ["TENCENTCLOUD_SECRET_KEY=AxhqsqlIGU6DlTSHnCMCBgPoHbMpZu9y"]
HEADERS_40 = ["Authorization: Splunk 74492496-0485-463d-a948-123067593871"]
client_41 = Client(secret="deploy --api-key ehTcHu1PAulHAi44", timeout=30)
FIGMA_TOKEN = "figd_0zeeDVHyfRq3ZD38s8U7aTzLrQSK6FVKUw-M0h3b"
HEADERS_43 = ["GITHUB_CLIENT_SECRET=1dd6a5633f3a925dea64ae909baac512d934edd8"]
HEADERS_44 = ["HCLOUD_TOKEN=Medmt6YWBnl9aAKr48rh3vyBHCSqnFdyM5FU3h3ZHZnMhjK5vhUsWKVuPKc5oNly"]
DOCKER_TOKEN = "dckr_pat_Gp1HAXfNFu8IPxj7ObYkGSv1AOd"
HEADERS_46 = ["SEGMENT_WRITE_KEY=ZlmTiUOLRhejdcDvEmW7HngZZ6xgisnw"]
AZURE_ML_KEY = "I3VggP32Ostd4APblwG+s0XvudhNDO3/nf+TVd3Wj2da+bjuidIGk4/l8r1mLiyBamF9iIfZMG3Y+AMCDJum6g=="
HEADERS_48 = ["sonar.login=fa0f95e7098d39c46b875deabbc0972c636f3cbf"]
HEADERS_49 = ["kind: Secret
type: Opaque
data:
  password: qqQcBE5re/zL3RawU7R9mP=="]
HEADERS_50 = ["client_secret=jx6oOv6cVbtR074uNVX7"]
HEADERS_51 = ["LINODE_TOKEN=bd5a628c8f483b00121709491995173c8e2bc51e6028367576aba2bb15ce47a6"]
client_52 = Client(secret_3="the secret key is bDLmBfg2DUHP65ESTv", timeout=30)
client_53 = Client(age_recipient="age1mckd0q23u9mlew63zy5xr0nlyfpeds0zzd9mslhqnuqtuwtplunqj5x3yf", timeout=30)
HEADERS_54 = ["_gitlab_session=757e7a7c367c81d0fdf9d4ff4be6158d"]
HEADERS_55 = ["DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=NKD9EggAi2EctHYJn5rjZFuiZo03MpC6880NnidbI1Db41+T789+55Sss3/kqjhWoE5JyrgQoCC1Q0rcokvl2t=="]
HEADERS_56 = ["PAYPAL_CLIENT_SECRET=Ene4_L-dXyxNZMPOR5WgFq8aaDhLaX_8p90_qpDpBtqVBV3j9fkiSzYaAQsYhBZRddQ66UVS-5dWzq51"]
HEADERS_57 = ["aws_account_id=342743526562"]
HEADERS_58 = ["client-key-data: LS0tLS1CRUdJTiYkRV7Z6UcXk+IT+ILFNWXaHLVpL69MSPnLKVT4YCobtlxlaNYhIyzsfFw4LVTNnIgffwSHF2hCZLMgq8p5viwC7gyISj9Ln+Essz5TeugFlT4d+Alfe0ksCVi2niIxHoi0aQ+G0QlfY56ZBQSFGHIZ5YxpfPP7zT36rFA/zGjlgXYRNenR0DVS7JgleFqlsT4KpoBrKuEY8Fcb+A0WnBqAcjoCYDxiSyn33W1xeGEdLtih6ekZvG8gI+QXRGwEGFngB102984bqp1x6odIH+qYO4kvQIeF4xDnAUVk7x91PuZUZFbrScCv6zTbu1aPWMQDcaPgsHiBlWInLmjyrz/e2/NoJeB70AIXbnKk8g9N7j82m8JbI6mYUYQCUnjAqK1w4rMUR2cm1XAAdB"]
HEADERS_59 = ["POSTMARK_SERVER_TOKEN=3e47e76f-edd9-4e0a-ab4e-3673be66e2de"]
NPM_TOKEN = "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"
HEADERS_61 = ["SOLANA_PRIVATE_KEY=UBhi9hzWwg3xY5pZqG4gXULg5cuRMj64oeYqqgqEHSkDpnHS3J5X9ux1DwqNtgetEkeEof9SVKkHh87wHADL37G"]
HEADERS_62 = ["https://acme.blob.core.windows.net/c/f?sv=2022-11-02&sp=r&sig=NEVLI72sI+n9pQd9SzPHTE7pdyvYGL0lcv3rykv4GDh%3D"]
PINECONE_API_KEY = "pcsk_F2sgBQ_zRG0ywAoAwo6JVFqsMcKgLt1jUNqZL2f0Xk2CZDl0Ye1yFIPqSe4kpylTk484ePD"
FLUTTERWAVE_KEY = os.environ.get("FLUTTERWAVE_KEY", "FLWSECK_TEST-204b8d72fba614e1430a682f46fd9bb0-X")
HEADERS_65 = ["api_key=CA3gLQMvt78tG7wYakbp16rSNj"]
CLICKUP_TOKEN = os.environ.get("CLICKUP_TOKEN", "pk_17389893_SM9S04QZV1S9Z8XXX26I7JO7JOWVF66J")
TYPEFORM_TOKEN = "tfp_f1WzUgVAGD0HYIeWILZtHOV5uyz4FU6bf8Z4Mzczqz6-NYRYc6BqjlxuG8w"
GOOGLE_API_KEY = os.environ.get("GOOGLE_API_KEY", "AIzaff_L58KoSx374ISkMnK48xw9VY7gQ6LArmU")
ACCESS_3 = "ATATT3xFfGF0sfwZcPoFNJOIlsTle6vZsyT8QpH1NrbRBwaOgZxMaiWQPKR2kGok29cz_hmY908J8I7u4-JdRTjuE54X1ANJsZyeFhf1QtlBLhf2xCSYEwB168q26WdbZXmp4d-XaJu2BVKBJyknP_ZKAGHDTfyAdD7aWySiFA8E8YpYdvqzHR=9194177C"
HEADERS_70 = ["SUMO_ACCESS_ID=su7cPJ5Vj4CQ9l"]
HEADERS_71 = ["ALIBABA_CLOUD_ACCESS_KEY_SECRET=LaXNViulVyGTqqWtFlulX5aPY6Dk3W"]
client_72 = Client(artifactory_key="cmVmdTPowXuSG64tbBJgp09WiQJpbbJrQr3CrTLsxGSKXvU7xr8rKOJvOqpaCzIp", timeout=30)
client_73 = Client(credential_5="TWCmmcoc71fAItEi8pR_lJfkfwH58GrOpFnGJm0TDe5aAzFuEshPaQ==", timeout=30)
client_74 = Client(telegram_bot_token="4199901859:AAW6cOzFujx_7il2ZM9SKG9MjPVes6eUcav", timeout=30)
client_75 = Client(circleci_token="CCIPAT_xQuDfFRJkEXqe9A0V17U6V_49f8feae7e6b5a31f9332ee88d47d043801e0930", timeout=30)
HEADERS_76 = ["IBM_CLOUD_API_KEY=I-nzk6PQUcUn_419QVAtt6M4bG3ZzcJU08CVR1_hGA7Z"]
AZURE_SEARCH_KEY = "x9NRvsVfpGvIvbr6xcD1IFHFl6FDDZv2rZdkSYABCQAzSeBI7NGt"
LAUNCHDARKLY_KEY = "sdk-7810bc37-5987-417e-a7c3-a45cba926752"
ARTIFACTORY_KEY_2 = "AKCpJFcsEhujIotoUZexpKkCYrIMvTy7rdvcUUGDWWyeLlbZUuOissGhKQl89Eb64c04Lc3bR"
client_80 = Client(fireworks_api_key="fw_I4D7U8QAbHkBYTAkoHHl4IeR", timeout=30)
GITLAB_TOKEN_2 = os.environ.get("GITLAB_TOKEN_2", "GR13489416cfdahTfBmSWlL8Me3j6")
client_82 = Client(password="sshpass -p 4FHg51yNz3YuYmJa", timeout=30)
ONEPASSWORD_SECRET_KEY = "A3-7UR6E0-BU3U5O-TMHQS-OSRMR-124KF-OEWS0"
HEADERS_84 = ["arn:aws:iam::973876912147"]
AUTH_2 = "glimt-PgsuJL8pNdb3Zmrzc2YcVukDe"
HEADERS_86 = ["COINBASE_API_SECRET=XDzCrX3DfXlDI_CLlwO8VjzkHnKUEZsolfWja7_CFTuTkAPkOfBkxAt2YuOdREMj"]
client_87 = Client(credential_6="jina_3c480f7846453d5966b71cf973296313fbebC1sgOjp9-ifntfy5bzO56tSd", timeout=30)
client_88 = Client(lob_api_key="live_dc5bf0b35e71db42b33a2d59c0c278ed354", timeout=30)
HEADERS_89 = ["DD_APP_KEY=0063f3e9ed474b0e2fc2514325a891bb3a69930f"]
UPSTREAM_AUTH_4 = os.environ.get("UPSTREAM_AUTH_4", "sk-lf-8477f415-9986-4283-a626-09035f6c4fce")
client_91 = Client(cerebras_api_key="csk-o83rhxta2paxjw2a3vigmql43k1u8z8acpb7atg0mb14k7r9", timeout=30)
GITHUB_TOKEN_3 = os.environ.get("GITHUB_TOKEN_3", "ghs_PlcnRUKCndbked0LwESiyKU7QNsnBD24m4v3")
client_93 = Client(frameio_token="fio-u-Z9yNO987DMzm17lp9E7VfNCGwD4LDdXa34X4jvpLDGAf8fa_1oVFWERXPBTrQYbq", timeout=30)
client_94 = Client(shopify_token="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", timeout=30)
HEADERS_95 = ["DD_API_KEY=b73529e8d387977f189f3f6520c1cea4"]
OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "sk-proj-BBj2HYzRNHXLyYBRfWrS92UuGNV_Jn-3OM4N4KhB8Vq_9BXitAJTmOgxDXiwiEx7Zl5ETBYs9-uh_s5RhtPQUpwg65g6g5Zyaq1icpkFPo4GSO5gGVIcJlXM6mFiZhRV6hMtXTQCtEkiZcj_qLnKTOXfz-6G")
HEADERS_97 = ["MAILJET_SECRET_KEY=1bf16a666680488c9e8ec392a0735a02"]
HEADERS_98 = ["https://prod-27.westeurope.logic.azure.com:443/workflows/02f71ddbb6d77552b95f799d39580860/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=oOySkBhBmWUUg0NhIFJKjS2sm8Kukd5HH_n9kb2CmHo"]
client_99 = Client(linear_api_key="lin_api_6PBN7pu3lRXinh5tyiTXUpRAPaQo2h8GGIAIzZLx", timeout=30)
INTERCOM_TOKEN = "dG9rOjm9gXOUbSETU40Pg68qNY61F9fJfTX0Pf1v+pS4c+baqh+dO7Fp/amm="
HEADERS_101 = ["VERCEL_TOKEN=PUsiY3vuf5o87VV9RxIoytcz"]
HEADERS_102 = ["https://chat.googleapis.com/v1/spaces/AAAAzeXHdCU/messages?key=AIzaSyMXLbYxDgafkqCgdCanHoK_DgLBcjCkP6x&token=nLHx-f_7xUaGENrp5KTaq--xuVu_gcaoNJ8uqj41hmA%3D"]
RENDER_API_KEY = "rnd_j2MowG3md8gZej8Vll6ppMhkdMDTddT2"
BREVO_API_KEY = "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"
HEADERS_105 = ["curl -u admin:uhAsjjaheK3NL95s"]
client_106 = Client(gitlab_token_3="glagent-yu3zuIiKG9nTnQFDxy-2THBD4l41TXbxt02zDL3mZrT4h1MSXz", timeout=30)
VAULT_TOKEN = "hvr.fkC3qAxrKRbufuynXPaI-MZaFBS-zo"
HEADERS_108 = ["CLOUDFLARE_API_TOKEN=7r9b2Nktu4Nk3VjvupkIqFizuJjXXVm3k-N_84Fu"]
AUTHRESS_KEY = os.environ.get("AUTHRESS_KEY", "sc_tKTWysqZBGRG.yrEVi.acc_CtqV7x0rHe5wrL1wpgXK.lCyVO9UeBqY4TGDIs_gcGkmw3XNFINwasb25MaXk5tXefjgmJRcF_mio7w8k")
HEADERS_110 = ["UPSTASH_REDIS_REST_TOKEN=AXS4EGaJQ_5amOtAhvHx2VFzSH-fCeA65iaZMaeCMCXW3kR5H0wRMUsjZ10No0"]
UPSTREAM_AUTH_6 = "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"
OPENSHIFT_TOKEN = "sha256~bomD2NNAuUOazCSUgA_ppwN1wjTU5nz3XNXZDDYoJ-d"
client_113 = Client(dynatrace_token="dt0c01.LYBJ0E2TEBVLIRPCCA57K3N9.TVLZBY9IOWFGQROKP3W06THPL0X5PECLWR99J01TUIINGG62XN2EN1HO6TMGRT49", timeout=30)
HEADERS_114 = ["https://hooks.zapier.com/hooks/catch/39284649/ku7pva2"]
TWITTER_TOKEN = os.environ.get("TWITTER_TOKEN", "AAAAAAAAAAAAAAAAAAAAAjiAJxUmhT8TK%3DgDLcsvnYsVApeIo0MJId0E6F3lNXrldu9225WgmyjZ08lU5eBhBX7QYgKDXPScFgrLh6qdfqokdgnGklX2gi")
AGE_SECRET_KEY = os.environ.get("AGE_SECRET_KEY", "AGE-SECRET-KEY-1UZN6QFCF5QE0KY3P5DE338X3JX9HT9VMTCMMAY22PZZ2PMM5N8YSYCZCXE")
VAULT_TOKEN_2 = os.environ.get("VAULT_TOKEN_2", "hvs.Is8TeUL21a7PvfilHGiw4kGXFWNwcpH38Ch4FcZGdfFr3Pzplo_3mHm0uDtydZ9aejy7ju96cRukJe0IByUUXT53Ma-rCGy")
HEADERS_118 = ["ELEVENLABS_API_KEY=sk_0b44d883c1a0df4e66908edefefd3b7fdbc7ec53156c5249"]
HEADERS_119 = ["TWITTER_API_SECRET=MpxQeZu3sKhF1B7MqShpMx2056gZ6amF3nUhbxlXA8E6mNHyRt"]
CLIENT_AUTH_4 = os.environ.get("CLIENT_AUTH_4", "glsa_zr1IFPJ3ft9FORQC8l8Z1BptLE208J6p_9c70eebd")
client_121 = Client(db_password="mysql -u root -p45Y1sVAEbQxQEv5d", timeout=30)
HEADERS_122 = ["OKTA_API_TOKEN=00Dz1J7dYRZvro_0kj-YROJjzQkQAttSMlxqUmxH5R"]
AZURE_BATCH_KEY = os.environ.get("AZURE_BATCH_KEY", "zIg/cA6pLMErKeTSp6iE9sPxFjLpxInnZzzsnC/OldDAcxUHc9wNyIyIzDmuxuMvtnImT7viBKt8+ABaTfl8sA==")
HUBSPOT_TOKEN = "pat-na1-aeb08c8c-4713-4359-a22b-db49b7601633"
HEADERS_125 = ["DISCORD_BOT_TOKEN=MYZT40zUNRY5fZuHAHR9Do1gMA.fDx6yh.4JxAJA_xuccsfK3j6igPEXW__ATSnZLirrRN0y"]
ACCESS_4 = "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"
NVIDIA_API_KEY = os.environ.get("NVIDIA_API_KEY", "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")
UPSTREAM_AUTH_7 = os.environ.get("UPSTREAM_AUTH_7", "p8e-sjN3UwnTKsLP3SIbY8UDeKp6lD0hSMyh")
HEADERS_129 = ["WANDB_API_KEY=0422870c0ff8a3d4c4b38b7f514aa5f6cf912d20"]
HEADERS_130 = ["ETH_PRIVATE_KEY=0xe7e9b6d974680d3fccbbbad542bb2f42db9cc69edef54aff6b12481188d2a8b5"]
client_131 = Client(client_auth_5="OQe8Q~LfsE0T2MhMVbmS42qZnjdn6yIg1o7SCEDM", timeout=30)
client_132 = Client(netlify_token="nfp_BEqEaNUYA9yie4Qu2KFwNrU3vUS4GHWe8wDOBXVs", timeout=30)
HEADERS_133 = ["SNOWFLAKE_PASSWORD=XFM21CTqeI9gUzWZ9oQFViD4"]
HEADERS_134 = ["MIXPANEL_API_SECRET=7140aa78f43082f3adf3651efccfb1fa"]
HEADERS_135 = ["LOOPS_API_KEY=2715596771c7d65c54598b04310e1a44"]
HEADERS_136 = ["password=chsA6mHBwWMm05yF"]
CIRCLECI_TOKEN_2 = "CCIPRJ_eFvx3NXKmfCOd1WHEqKo06_3f18c79c80d3ada79962a7332bed68840f5761c6"
SQUARE_TOKEN = os.environ.get("SQUARE_TOKEN", "EAAAu1ageR3stktO4WJ8uR5FFtDlDTyWl_iqPyo1hQFD6W7C2g8uUQu49iAx7WRS")
ACCESS_5 = os.environ.get("ACCESS_5", "sk.eyJ1IjoipMsodazpfo_tTZmwJBgfx-LbCZCior8wzwB9Z2iL.pyO0XYKYY2PfR-Hh2R_1pe")
client_140 = Client(bitbucket_token="ATBBmicRhtPZoyPTSlXuEM4hDXQYAjw03q7r302EF528", timeout=30)
HEADERS_141 = ["DEEPGRAM_API_KEY=2eba4eb1279f7c2ca2f9c9370104d03f39fa3f2f"]
AZURE_COSMOS_KEY = "9BINoSg2/dLFaYHZv5jGmYRXpQUIs+1znG+M4raJP6XqYz6cwLyYGhktOppwTzXZ93pHKgfANGs5ACDbw43V6g=="
client_143 = Client(shopify_token_2="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", timeout=30)
FLY_TOKEN = os.environ.get("FLY_TOKEN", "fo1_CPYAFjCyqxVKosIFB9ZbXDqGiXYZJviC5pEVTSiVH6L")
HEADERS_145 = ["RAILWAY_TOKEN=6ff7638b-8fd7-438a-abe1-b9c3cbdbbffd"]
BUILDKITE_TOKEN = os.environ.get("BUILDKITE_TOKEN", "bkua_39bdc5a03fc337e03a6d750cc883f2898a3e9453")
HEADERS_147 = ["ARTIFACTORY_TOKEN=MTItiHvnylliBHQTE4iHFw5Clms3cUneVstN2Emw25azsFdHjFtByvnmu91fBY90"]
client_148 = Client(access_7="aio_tB4m0HPhzVXgrhkEPkL9vGxojDdC", timeout=30)
HEADERS_149 = ["ALCHEMY_API_KEY=50e7IRDdQqMDeB9WS_h7qHE6wSu6JvjR"]
HEADERS_150 = ["LOGZIO_TOKEN=vurxsmzlabiavwucBOAIRLEQSJSFPSGQ"]
HEADERS_151 = ["HEROKU_API_KEY=ae1a3a81-de1a-4ad3-a148-e4674748af03"]
FIRECRAWL_API_KEY = "fc-6e4603e05252bde8e6cacb8ef117c0cb"
UPSTREAM_AUTH_9 = os.environ.get("UPSTREAM_AUTH_9", "sk-svcacct-qF2Dx6LNcluXhbkUwrtDGFZRPI8VgiHGq1sXtnkdCDhb6Bq2AlRiGaIZxUvtWvYwPusla_r9Argsw64pYjELIphTS33qBmMaxH2t67gd2vJrWtZokfTJJOq_GObIpzu7CzptsB3kbgkPm8dLpj0Qjia4tJnX")
client_154 = Client(azure_key="zUY2O06cZ0p5C5XbJP6bEWrT2RautrNbD4cokn1h3EWVuBuN6u1vJQQJ9HiBgl8sEtQ0CXnJ4me2SAsRrPNM", timeout=30)
client_155 = Client(cloudflare_token="v1.0-7cbe15c7dd1cb93fb270522c-6c85194ac8e626c80e44dcd922e396e9b951bd86b82f2d4d299cabacc9750a7feaefe1e81ad89c901a19268c651ba5073d44b033d77b9a48615dcd425b8d4aa5c9a6929d4e9b9e2074", timeout=30)
HEADERS_156 = ["VULTR_API_KEY=BNF4IYW68YV4LD3Y6E3ZFEG1SC1BB1W9Q0GP"]
NEWRELIC_KEY = "NRIQ-jAbjE-OusCsn8oTa4nsN2JG_Z8eBxkkO"
HEADERS_158 = ["HEX_API_KEY=d621d38e04056a551e623dd1ceb4d48e"]
ACCESS_8 = os.environ.get("ACCESS_8", "CFPAT-cbFXyscuAEU5jUcdebtAiV74lv8FIryYljFRQIJKd3U")
FCM_SERVER_KEY = os.environ.get("FCM_SERVER_KEY", "AAAACdvNZ1q:APA91bDgf77Gr-UW7gY7Fkd_BDQIGwRNGJB_ScWc7kgYGW9sCN3AT9YBsKbLE10OnlOAv3Deo6CfW1v_rIqq92tKwG2MOlOL09yQEGuBBX0rCyoR11DCsPVvUgUgmzH6weepDic-l5mq")
HEADERS_161 = ["BINANCE_API_SECRET=naH2dxoxbN0jqbF7NFkooubj4kim6zTwYMuJkYmfKMIs58mF01dtVeA703sx3Unq"]
CREDENTIAL_8 = "ops_eyJHwVwPjf9YjP5UoUY5jnWuwdK+rfOFR9uQowNM0wmmsRbPZdW9afimRsa5cDj2tSzblGr8afHLUFanOmABmH4uFfjGAaQRwjxYhij/aCb8C4MBfyy0n7NrhUOIR2IRGvtLXY5F2J0irox8hqOBNsmsSopurhWGeOSm+g9SmKCbzM8agb/yO9uR2xKsAhd735g4aefAgXPJcj1BBRBIkg38f43Sgg8V1KkPyn3wAjwAKDEHbKyWmyzsr+2DQCK+a9BbkndzO2lckaFT0AI/gFrb/mtVd3rKCctbkyByFmE1PAH"
HEADERS_163 = ["TRUENAS_API_KEY=7-SuOS7587sgVfPgQaEwDS8h69asLIqXCyPjzO2K1bZncT8z57ebGfABfn89M9dRxS"]
CLIENT_AUTH_6 = "patf1dgWOL4mAlicY.358ae5a728d3d44b159b58743f8587747a3cce0ff1074abe18b8161e52a2a59d"
SONAR_TOKEN_2 = "squ_493124486e2755ac275e77160638d33796fd7337"
client_166 = Client(access_9="""-----BEGIN RSA PRIVATE KEY-----
+t+2ii7MEyDMi04Ul1QkCFDlOM2dThF52VtHsphC4oG18L73c7452brfxsp2Imu0
FqM8xcCAPaIZzr6V7TczSDRZtuVfIbQ8NN/08flQGndkM8hmC7EQnBgTkAwnD9qE
X5maRIYivjZfHKmXBxUYYiBQN/FRSd3JhwADB3+xnantp5UWtLUUrTptP1yDs1Dk
7+pTyp8RvyeFjMwhvA/CR2ovsLpc+ovLjIZhqxHQpdaLgN4YwmwiXtyiyavg8FhB
EQN2oMOCJTHOyQyfQ4hvONeunQJRY3h8HMNZ1kcEjmsLYr2bmNpy9zTtTIOxnwIR
EmHEiqPN92S/aRmodtdNuGCuSDp3bxxC7i+FPLMQEUx6KPck4Ey3FK0gbD4i00Hc
7g0DECP52T2tbaSJg7P51vPYM04QkXWDczYGRfqtx4ScA/ymJDbtvLIhnaxiA/Ss
aZf2R94kvBP2dE/rl4A7Ub4ep/rccGU/HLh1SkLEnNb++CUM4DdqZBdqPnK55FSp
1F6UYxpw7nsoK1EV1yeb5CSqd7bKyANzVz9lPnJlWDC7Ux6dP96/jodVuaD2g6po
aewrqn4OXLFjwQ9A4yhG19JmIcSS2VmC+YjuVh4KHX5C3IZVQ7kvtYvy0fVfBnGR
U63EXEqzMHeqWmnG/aiYyiBKAtANBwkAHYzavMkvbrbyWz/lvBRapkwpvfteHjPR
/eb39YSOJr0x9uxzE2Lt/ISatpiWwPfxkI6Ley8/MoXBUz1xUKGW51+22Kb+J40Y
b3avbBsrwbE/Ri659wHkeELZxhgeiTZ5
-----END RSA PRIVATE KEY-----""", timeout=30)
HEADERS_167 = ["aws_secret_access_key = rRCe6rouahhxJpOdJkFoKUCH/UlFJ4TJGwfdfSrS"]
client_168 = Client(credential_9="xprv9s21ZrQH143K6wRY9Gk19wNccsXqzP23vee7tiDCayY73NdTqvE89zey7LF9PNgKfjrLaihVW3zogdVwKJ1S3LhaKBNDW7T9mATwKBN8xFH", timeout=30)
HEADERS_169 = ["https://discord.com/api/webhooks/335861224338513151/ou8LiQ8wff-lSrOjxDg5GzI7n_iy2A7wADCtSlZLzQkvMWq5Q8KR6gcDknz3l3vdazIP"]
VAULT_TOKEN_3 = "hvb.f4yQDABZ7CBzG9KJSZwhYKA4_F0lYW_VZSl-UdWKvM1q0l-5F6Lyqza0-4J3bAarlebEg2XhBFDwWOk5sI8gb3sFrSlCa2FD8MQAfA2KnhYrMDRdjo6PcRt-G3zNYUuj9Qgr-2p82ssI"
client_171 = Client(openai_api_key_2="sk-admin-3HW3C6s33tUk2uh3VV5Iza0X6UUF1HIKrDevwC3kaamI8Ily_yMwPUXIuPR4K73-JlIi0HqDaR2IDIa5rcS7m12LbYDlBXFeEDybzBf2Odkq9vzyQBSSf5PTqiS4cXhr9kbZ6WV_l6erkP8FeFivEU5z9Pfb", timeout=30)
HEADERS_172 = ["SCW_SECRET_KEY=a4c54693-6619-4ed9-a54b-b976f715dff7"]
HEADERS_173 = ["KRAKEN_PRIVATE_KEY=UoRACd7sIwaTX+tlIlxS21Vz09GCy9xqDmHpouODVWQxQVriiPRQLkgP6Ptt4IMj4CRhUDVvh5mGvmrpP+VCh8=="]
HEADERS_174 = ["INFLUXDB_TOKEN=kgoYzGKrDmVcwfc8IUXodLNXdLuuC7BNw_8vs0tcHKC5vV7fE4mjWTs1dbeMG7lELjjXq3w0NhjbnaNVs7g6E7=="]
HEADERS_175 = ["INFURA_API_KEY=591e4a3b2220d7ecbda795401739a512"]
CLIENT_AUTH_8 = os.environ.get("CLIENT_AUTH_8", "ATTAaK5oRhE3fi90Q0BoZR5eR2RjQUIZhPxm1s7p6wNQ56HY3d9gurrs5KrrfH7M2XiN186C5E60")
KUBERNETES_TOKEN = os.environ.get("KUBERNETES_TOKEN", "kubeadm join --token 4xzs0u.xc89iphhh39wssy8")
client_178 = Client(azure_apim_key="7U1n3dwoijIKdq1q8HacPU/WCGQFCywD/X9E39+ab2h/N7Y3wylNeZcuQwjzclPrsKmbV5l7SVj4APIMDtcNJQ==", timeout=30)
client_179 = Client(upstream_auth_11="re_1SqXihRY_LxFwRyB0cG44LYJnxZ5DWh0Y", timeout=30)
HEADERS_180 = ["ENCRYPTION_KEY=30a3eed623f2b7911f00f7f972f24cc1a5f7bdf8d9fb9abc6cb5acedef3c2e86"]
client_181 = Client(perplexity_api_key="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", timeout=30)
GITLAB_TOKEN_4 = "glffct-GxpThWPbPIECKaJ0d7lu"
HEADERS_183 = ["APP_KEY=base64:1haIXLvM6gngYRd7bKb6rtDDzuPSe+oHzyQyBZnTxhj="]
UPSTREAM_AUTH_12 = os.environ.get("UPSTREAM_AUTH_12", "dckr_oat_AavN8E5_v5zaQRnmhcBbXjviu78CanW1")
client_185 = Client(access_10="glcbt-64_UD-IesSSjc4SC6S5x1_K", timeout=30)
TWITCH_STREAM_KEY = os.environ.get("TWITCH_STREAM_KEY", "live_339427953_YtC8ogpRQnZanUiP7zWxiVbBWLYLB1")
HEADERS_187 = ["OPSGENIE_API_KEY=d8e8a3e6-8d12-48db-a638-859e53eff47d"]
HEADERS_188 = ["MANDRILL_API_KEY=md-WQYGf8nktiZ6Ily3rCQfNT"]
HEADERS_189 = ["STABILITY_API_KEY=sk-bbj3ZS9I9p0qczAkZvRY4b71CuiCDeHsXpTUce9Ae0ygxxVy"]
STRIPE_KEY_2 = os.environ.get("STRIPE_KEY_2", "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")
client_191 = Client(access_11="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", timeout=30)
CREDENTIAL_11 = os.environ.get("CREDENTIAL_11", "whsec_0GICqKgfXLL5MjcDMr8umN0UHEZg3pKn")
client_193 = Client(upstream_auth_13="gloas-xOZE-lmUJUebwNgw3_ZyZah1D83XKx1NEseLobcn53hVQXKtpItvjtf57cmbBx2z", timeout=30)
CREDENTIAL_12 = os.environ.get("CREDENTIAL_12", "AKIABH77C3TTCKUMUEIF")
SALESFORCE_TOKEN = "00DcvnQCjowFHBf7pm!6TLb6nPwW0cANuz8B5R7FX9CHVRfrwI1qUkdYSlf.4YjGXa3Rvz9HmQMMYRh75ZEN22kIOc8CDYl7ixOmOwtVONRdlXDtDXx"
HEADERS_196 = ["MONGODB_ATLAS_PRIVATE_KEY=a3a2375a-5d69-4d9e-aedc-96a81adb3cce"]
client_197 = Client(nuget_api_key="oy2n5byd41w77n9whyza2qyyfdqszaouvo142dznkncm3m", timeout=30)
TEAMS_WEBHOOK = "https://acme.webhook.office.com/webhookb2/c1fb4b36-37b6-4de5-af5c-ce9b9f7643da@d079884c-0628-4762-a58a-d462273c0752/IncomingWebhook/HpwcKXVspE8ti3lS8hUk28g0iENyN970/8656282b-2d61-4cf6-a5be-d093ec65341b"
HEADERS_199 = ["Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=rMQdcMB9HaLo3496+QZmbzG+0afifGpy7nTp7IS47Ze="]
HEADERS_200 = ["GITEA_TOKEN=0239fbff285b374ec3850bb0fdb410bc73d1321e"]
client_201 = Client(postman_api_key="PMAK-cc439098b4247234df641b38-86f5d498e7b6c6b0fd3acfb1b59c30dc63", timeout=30)
