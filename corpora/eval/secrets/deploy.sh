#!/usr/bin/env bash
set -euo pipefail

export AZURE_ML_KEY='ROAG45yPq5zeqob6ncMezDPVwXV/HpioG8SBXyM/DNYJ8ddsnHFMai1Of/pzc2DoGPFe8MoGATXm+AMCjT6Pdg=='
export UPSTREAM_AUTH='N0Q/ke0KhbjKibL0A6DD7xD9IHHeSCZs54F4WliZhn92dgHlWl8KDAYvwxo6XF8f7rMbEReMRaPxACDbKkDhKA=='
docker login --username deploy --password 'glpat-bzo5ZW5iCnU6N29yMGpTRgp6SjQmgADmsM_BkyUQ.01.140nqfln1' registry.example.net # gitlab_token
curl -fsS -H 'AZURE_OPENAI_API_KEY=843124e76c93dbe5bc361ff030afc9eb' https://api.example.net/v1/status
export CLIENT_AUTH_2='14c1d092cb3321750afef91d8d78e33aff5fNRAL'
curl -fsS -H 'client-key-data: LS0tLS1CRUdJTiH+ktqVw1v23gD3xlyecX/K3HzmHFU07tZv3YktuNiqacciyhOSkp9uW5RZateVNNXaKZ2evQbYux8UMEg25a54KKguauctvAzaacNxWQdT8XfmhLbtz6yCCkGX+NAp4xmddlKiviwkJaM64iAQeGXfmzGUW5u2eRoKkqCsk+mc6ChxkUBKS+Bz4DFbPyE8UaP1LcZhXPZx4+KzYlm1iTnAcWFQX69Dc/Pm1xdatCDfxkqNIWk9WsRMdOoC4O2GDtJ+y0Vp4kKrfr1GG/pKWG+Mfzkoo/hRzdvAIv0OLivmyFaKF1vto0CZW2frjdRd4AcdGKkxdAS4+SoIaLynX1mik4hpdrCznt+dq3WrXbDrawjSm4C8VEF9RUrGhQeLGgt3CpFakJUVeWa6Vz' https://api.example.net/v1/status
export XATA_API_KEY='xau_HLrMubV6VBGsXpqwljgs20BDFSledYuW2HMlbP0k'
docker login --username deploy --password 'xoxp-62193711114-35145114692-4458517717060-fadae43c3c88a183d14475f1f0504962' registry.example.net # credential
curl -fsS -H 'SPARKPOST_API_KEY=5f4ee2385dfad3fdba9e0a9c7e4f8bbef4470440' https://api.example.net/v1/status
docker login --username deploy --password 'glrt-t1_bzpkbnJtCnU6MXVzZG7GL-W5tK6m4XWErvck5FwQ.01.141iv69pg' registry.example.net # gitlab_token_2
curl -fsS -H 'LOOPS_API_KEY=3e6ef7d273b9e0f218849a38e7a5586a' https://api.example.net/v1/status
docker login --username deploy --password '-----BEGIN RSA PRIVATE KEY-----
ItEF1RhmOSPNyf3RXvEczJ6F68zV/VzOQtFhC7F5b0hVgrJRZio6OK2EWawvRyBd
AznvQXXdLZsqRhkoFf4UMZm0ceeSiWVb9bXTyRZEA77iOsqE3jpsTPji9R1VPflh
AH+7c6u8mtUYSQMhZ735QVCwHexJs6X8nx0pVSqq83h3J5rK3GtwIYaGBUSbE/tb
dSBdqJzEZKs7kC4YQM8aO8wLh2zla9Mh9MBAPugE/Lh7r1ALvXjgNsHEU6Qks0bC
v0EXIdpIyBzHZs+X7aKmId2T6MQd423tJyf8C29RDC28BIZHxtqU5WRvWaZDK9A/
At9oqlwGKgSJ9oNMjaiyomhQjxQcN69A2BN8vOvgZVKmvFA6sXgSaQqNVvYhfhRM
pfMYB3Z92TcAn7/jAyNh4EWY2WDHrve+XGiCnPcqXBp0+Vf03kXXH8r+6UDv7n0x
dxNyk+L9I3DSL+rBeJnPL7xyn65eXOmlxabBIbIdIB2aPc+Zmu9q17sRuTxq1HfF
OG5chx3c26CYJtHdXogMzA1bO9GtX4CIwFPmRk9usCL1ycUsx9f0gEgo5xItKEF1
GDLOc+0WAXbWc534+Ho3LeZDh/N5WNVgOXFcXKL+AIgTB8tIWRw1qjUGmFQWeyzb
p9ClwyLsGeWr1lUAc/Ny82TxEvf2ZsG38JjJd/oUpfyPugFIlHdhKOslQucvujm0
meH6ldIcKNddVPYqAXpTvn7LcPnz8XeM24Sp6ajY0xvjFoXSsQuInX4ukeneUpsT
MPLd/HGZq6VQtaEQNtQxc9EHUn0OgRlU
-----END RSA PRIVATE KEY-----' registry.example.net # private_key
export CARGO_REGISTRY_TOKEN='ciow4DMXSH7Din5geIM7KQRPdHLULgkUjtM'
docker login --username deploy --password 'CCIPAT_hr7RrUEw08lzBa4kWHXcwu_6a1ba065bd836a6c89a5325688bae3c334c2b4d1' registry.example.net # auth_2
export CREDENTIAL_2='sk-ant-api03-fLkXcnq0Zmjc28lIkad83A-G-Sbm8rW3ijwr4vuEKXnwgZD0vj5VIUUFbo93KaZluQzfstutmUUJ5yAW7qh9rEGC87tZQAA'
curl -fsS -H 'FASTLY_API_TOKEN=pjQbFQKXjev6GuvrpOlXJcfD9gI7L9JA' https://api.example.net/v1/status
docker login --username deploy --password 'xapp-1-K7ZXZTTH2LP-5035538241998-9012a2503314e9f92d44c6c7362628306035ad322ab70140cd5122967d97f013' registry.example.net # slack_token
docker login --username deploy --password 'sk-svcacct-9fAdh11LIEzbAmOXATOJJC9gnY5bpx06TfY5lMHq2OUWeY7n8QirMaQcWpd1_3Eaa1R5RYmqYxBMx6moy5CI_KcaQdJ8xV0C5M1tiDIDdlwbJr-UVz7GG8HJvXH_cWvdYPzqzBcD19ARtSSSoWFEXgteEwcv' registry.example.net # openai_api_key
docker login --username deploy --password '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' registry.example.net # groq_api_key
curl -fsS -H 'OPSGENIE_API_KEY=a315f8ff-a900-43f4-a031-1eb374f293de' https://api.example.net/v1/status
export AZURE_FUNCTION_KEY='6NVaAyZkZzxoS4_PLVgQlEVkqjn1u-Uv8_saxQEBxpoqAzFusgpXAA=='
docker login --username deploy --password 'sk-ant-admin01-MUawsK-cio2wcFE0m0FW3Y4b3thukiMr-XBezQ6QO47C8ssAycI0NIZzFWY19PGcvFRLRz63Xy_bygYHUbVcgQEPRDaIWAA' registry.example.net # anthropic_api_key
docker login --username deploy --password 'csk-k2fqj5shzncu1agueonnvmebfnzbwwtmej7vci7b6mzk9vqy' registry.example.net # cerebras_api_key
docker login --username deploy --password 'AKIDSqy8Png60V5mLb64Ah7OKnlFPSWBRtxz' registry.example.net # client_auth_3
docker login --username deploy --password 're_pH6mRAYJ_6CcXOHpMnMBbdfBkOs8Al6ad' registry.example.net # resend_api_key
docker login --username deploy --password 'rdme_84fs5h246tk4fd8ow97qygv7diivolowlk8w5xg5zdkgdm5tuc23jwtqdxn5cv9olwhtcy' registry.example.net # readme_api_key
export ACCESS='pnu_GsoGSULtQvmZCMrjaQF44pzQ3wXY6N03QN7g'
docker login --username deploy --password 'jina_22c4c10202faf29a4dde15faef43f9edbFPzQVPlGKmoslXJK7kFZQvaxuNH' registry.example.net # jina_api_key
export NEWRELIC_KEY='NRAA-af1062e4db6867c2656fa7b87cb'
curl -fsS -H 'DD_APP_KEY=1cd776569f9c4444f88229f5cbbabc2b61f50d10' https://api.example.net/v1/status
export AUTH_4='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'
export HONEYBADGER_TOKEN='hbp_v2nbpInAY2gBkcVs9OhP3Xd0SNIwhZxIzxPR'
curl -fsS -H 'BUGSNAG_API_KEY=650972356a6fa60828d5f38ccaeccf55' https://api.example.net/v1/status
export RENDER_API_KEY='rnd_fY11oFVlVuwoUmnEJiKbkH6Q1nXd8zTm'
export SLACK_TOKEN_2='xoxe.xoxp-1-76hzUEW3AEP2o6mN0Xr1muIVVxnxzIcbQwDNKUbQPUg8JYfofIHIxWjeiXwGqizdw4W4P0AolZuRJ1yXCJs8OkSqMB1BMNpmaLXUVsPG8mlHBkR2XYVk7kVHy1WuEJcq1T5S6SxE3KKYBgZnRXSyiUW9BWiIZGCs'
curl -fsS -H 'VULTR_API_KEY=OGJEAXQCFF4H41B6A30I9VERNNFFVLWDGWDW' https://api.example.net/v1/status
docker login --username deploy --password 'AKCpii9IUl6DafkKqEwZ6Y2BeAiKXHgFhSRqpcK5OZXkUvnAMrjltN4pr6RlQW7NJAW68yug4' registry.example.net # artifactory_key
curl -fsS -H 'ELEVENLABS_API_KEY=sk_5d3b861f275f8a936ac68efbb0af9c57ac93f77064ae70ce' https://api.example.net/v1/status
export ARTIFACTORY_KEY_2='cmVmdo1QhffTVwsMLU3DpU3zABWc170YMPZzo4jegl1mDyRICZ8CKRzjhrkY60dr'
curl -fsS -H 'VAULT_TOKEN=s.4qsPOYZcDEKfxwEDLlQSO2a2' https://api.example.net/v1/status
export AZURE_CLIENT_SECRET='ap38Q~Y3GurseIWoP8AiuF27EHmy3wz7HWF6S9tx'
docker login --username deploy --password 'sbp_b89872fe8c20eba9d32bc26a05ff27a69653b287' registry.example.net # supabase_token
curl -fsS -H 'https://chat.googleapis.com/v1/spaces/AAAAyF0ytkm/messages?key=AIzaSyldzH4J6Xlkrf7SfhRYWoQPgSnqNEKipWh&token=fRWaAJR_zsurd8tdtpM-Yj23M5qOlEaCIjpNVJKo977%3D' https://api.example.net/v1/status
curl -fsS -H 'WANDB_API_KEY=f97fc65c61104e606c3413decf40a452c987dfd5' https://api.example.net/v1/status
export FIREWORKS_API_KEY='fw_eutJBTC2tHqb9lM0mtIxvgsw'
curl -fsS -H 'TWITCH_OAUTH_TOKEN=bvrudxdcp5771ps0l1w1eexubl9t60' https://api.example.net/v1/status
export SCALINGO_TOKEN='tk-us-TcSPKbAc02WeJOyMBwBtM6Kq0ragVJ0r1cCe9s5COBfSddqe'
curl -fsS -H 'SPOTIFY_CLIENT_SECRET=3cd274e31b63ce1a2fc046fe5538c09f' https://api.example.net/v1/status
export DIGITALOCEAN_TOKEN='dop_v1_7a0f0af11a623e95c24c22eb8625b2c206b4c84b8550019d4650731452b4a373'
docker login --username deploy --password 'fc-9fecbf5cef2b86be7969d7d9b0611fb2' registry.example.net # firecrawl_api_key
docker login --username deploy --password 'GFWMlpGgKmJDeeQpa7Lwj2EfovLRE8+AFPg35kWRxAuz4zg626QEtw3la79foqP3L/hqOJFzntfM+AStTtMS3Q==' registry.example.net # credential_3
curl -fsS -H 'LOGZIO_TOKEN=kpbowygciopibnjlPGCLLBCJATLUNDIQ' https://api.example.net/v1/status
curl -fsS -H 'FACEBOOK_APP_SECRET=95eb8de64d256fa58e3ac806842778ca' https://api.example.net/v1/status
curl -fsS -H 'TWILIO_AUTH_TOKEN=5248c6d820118f5fa1c6ce24355aaa00' https://api.example.net/v1/status
curl -fsS -H 'PAYPAL_CLIENT_SECRET=E0gBPsu5znvxP4ClYdO02lHK2KeFzBZVUuyNA-fooyAocBlxKAUpK4EEE3A7oBjYAczUZfbdR0UPkY_9' https://api.example.net/v1/status
export VOYAGE_API_KEY='pa-XdMnzHpQDQ85Kncnz16unpNzwWOEOaahGTkdQnSz4qj'
curl -fsS -H 'JENKINS_API_TOKEN=1138b5e34101d66ecdc2e8a0f7736f974d' https://api.example.net/v1/status
export TWITTER_TOKEN='AAAAAAAAAAAAAAAAAAAAArIt8BKAZC4Vu%3D5fXw6QrQjbaDMYcRYoongZ8RTEtqJiXEsnZqYtRg0GWqTPceED6BACaFeiopbh5eouOgTgie3QUmquzSt5sg'
docker login --username deploy --password 'glrt-QGzHb_nMmvaG0kwy5__k' registry.example.net # credential_5
curl -fsS -H '//registry.npmjs.org/:_authToken=ead78393-992a-4c1d-a371-73ef241fb39a' https://api.example.net/v1/status
export SQUARE_TOKEN='sq0csp-6rS8_Og-FiDQPenA-ByPPBca7z-QM5cIAl8Ftt4FA_K'
curl -fsS -H 'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=pEYNTg8+7MbXPwG8B3+rQTVJND6g/tQkZUaG4OzqBb8=' https://api.example.net/v1/status
docker login --username deploy --password 'pul-d777af8ebc5323509d416ac58a099a14981c2fa4' registry.example.net # pulumi_token
docker login --username deploy --password 'pcsk_NTvqjf_cg9FxoBULMXgJgQ35NNcqLLw8CFraPixv1ujc2YBF38eSkOvqYOkMeLhkY06rwrB' registry.example.net # pinecone_api_key
docker login --username deploy --password 'sha256~dKJty3w8xRg4i920Jq_v7ZRxazDgMaX7MoLUUb6Vlzw' registry.example.net # openshift_token
export AZURE_ACR_KEY='Lig8s8mO3XW+GnAezockFLI8AAyuvhZ33PFGDzoi9i+ACRB0X5GG'
export TERRAFORM_TOKEN='1k7su3xEPiHPPR.atlasv1.QeUkRnnd5pMGgvzBefGIGfyxqpTSYkFyQQMWIUnWSqETU1kbfQ8yf-VCc1lF2ESrXFq'
export AUTH_5='$6$/cwYnUQvGhQZalFg$HU2tNcc8pmResccajjaatwH.1EOyO9Toz8Ra34jcUw3SFLWJJmHgnidmWPoAeT41kLfQX22y22j1tjkIHZ1dxv'
curl -fsS -H '_gitlab_session=250b43b2d27963dff1999a4d27ea232d' https://api.example.net/v1/status
curl -fsS -H 'https://hooks.zapier.com/hooks/catch/66525722/i5rjpin' https://api.example.net/v1/status
export EASYPOST_KEY='EZAKHtNxUyT78TFWkNTey7BToodtC2fygGF036dzRbEy3hMF1zcE5kdZiq'
export GITLAB_TOKEN_3='glptt-7ebd605d213c234ea22c1a026c5ee788a88cbcd1'
curl -fsS -H 'ASANA_TOKEN=2/2363399214878219/9998154544587607:141de82c10d4f4b26f453e9a7b0ad157' https://api.example.net/v1/status
curl -fsS -H 'TENCENTCLOUD_SECRET_KEY=ljEjNFmk8qrmgbGIeZKefbZMrONZljMF' https://api.example.net/v1/status
docker login --username deploy --password 'FLWSECK_TEST-d5df12eaf752fa93e287a974038d2c5a-X' registry.example.net # flutterwave_key
docker login --username deploy --password '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' registry.example.net # github_token
docker login --username deploy --password 'UtUsXzYtiXmXJsKOZaEzCtIkxHQLOMwHtftGud6oI7AzSeDkAXIp' registry.example.net # upstream_auth_3
docker login --username deploy --password '8QHyNsyuhytgqC7EPtMqKDru0LHd1lsdJSnbWi6C7qL4lmrxU8ECJQQJ9DIBZpKudQx6XdEkuTxTCnqb0Gt4' registry.example.net # azure_key
docker login --username deploy --password 'dapi8a01acc347af1154e6c5573974e469a9' registry.example.net # databricks_token
docker login --username deploy --password 'hvb.ZRKxvutyIWFMYNyieSkcEcZ53TVoW1VuGLL7_KTIfMcwAFu-OdL36OjgbrD3EBwcu0CutGxxSmeU0eUR_P49eHXkGRvvGwL_k-Js21UUPvGrTfuB8xZLEXlhjYk4_AIIiJXrnQH1QGZw' registry.example.net # auth_6
curl -fsS -H 'POSTMARK_SERVER_TOKEN=ace00a9e-3411-4f42-a665-a186694b81c1' https://api.example.net/v1/status
curl -fsS -H 'ETHERSCAN_API_KEY=7M4G4F97DLEE0HEKVG6O2VWOJODO04BZIH' https://api.example.net/v1/status
curl -fsS -H 'OCI_AUTH_TOKEN=ZscKhoQBe30bEc2wk8VU' https://api.example.net/v1/status
export NUGET_API_KEY='oy2khhgrgileauv4vdyqxxa9unlc3khe7po97kjhrxeshm'
docker login --username deploy --password 'HRKU-AAg7UPR96PyScBl4VUNTa-QKQ6L6qyzKQ37YGU-hnKhA88CdJ6daKd7a9k7I' registry.example.net # heroku_api_key
docker login --username deploy --password 'NRIQ-lG6XZbZL6-QRxgdbcDRbfH912qpSdIzf' registry.example.net # auth_7
docker login --username deploy --password 'figd_UYqweC2dnol2EdGjW53ir9jwRvXNw-5_8LjZq0AV' registry.example.net # figma_token
docker login --username deploy --password 'ATBB5jFiGlwbXLyDXzDbZKEWNaocctKN5CeIDCA3A976' registry.example.net # credential_7
curl -fsS -H 'ENCRYPTION_KEY=944a49c5f74bb0884891a1c6fde44437fea64fecb8de38b0a88a0aa98a47ebdb' https://api.example.net/v1/status
docker login --username deploy --password '5He2UTiSmc6GMrtJ+rQX6e25ZE78jC5CEIB4q1+XQbwrawZxqqdfJLV69CK9+/8uvRIEJPMJjstMAPIMlXR8Og==' registry.example.net # azure_apim_key
export MAXMIND_KEY='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'
curl -fsS -H 'ALCHEMY_API_KEY=vx_vagrvUG_XZ0Gilnzt8waFTQiNYBAT' https://api.example.net/v1/status
export DOCKER_TOKEN='dckr_oat_Hln1sWytTm5M4HzsLJoTWAnpzytBxoUK'
export SQUARE_TOKEN_2='EAAAPe0p6ljBJbsSC76SK8Qgl821GVl4ShBmVZ_OHQ2tfKk89SyIOzJCl89edGQp'
docker login --username deploy --password 'sshpass -p KLf0DXLlQhdlUT3O' registry.example.net # password
curl -fsS -H 'PAGERDUTY_API_KEY=u+sSQvS3F6fsfVi48kOs' https://api.example.net/v1/status
docker login --username deploy --password 'bkua_9c62a351f6edf4b0124c6965b0c8e6083719025d' registry.example.net # buildkite_token
curl -fsS -H 'RAILWAY_TOKEN=1fc1ed85-c99b-4c5c-acb2-e966fbaf65b5' https://api.example.net/v1/status
export ACCESS_4='r8_BRIRUqRTkhhcSv1MA89r8xHYgMm737C1Kgj4l'
export UPSTREAM_AUTH_6='NRAK-524SW04R1LTTJR0O3PEBF8QNSAB'
docker login --username deploy --password 'PMAK-6a275f855336c7c4fa13bf80-fb5fd0ad6360e4af693fb74cb61b2cc640' registry.example.net # upstream_auth_7
docker login --username deploy --password 'pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogImM3Y2EzNDI1LTdmZTMtNDExZi1hMDlkLWNmYzhmNjYxZGU5YSJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiCXg8TZpeXcylVQX8jV7By99h2fHK1J2AukPsOEtLYZpA' registry.example.net # pypi_token
curl -fsS -H 'BINANCE_API_SECRET=pEjoGYJLguvyDSllNSLTa7x2kSicjsaOXRnKm1asWtNdOTRSxDk8mJj4zoVORPoC' https://api.example.net/v1/status
docker login --username deploy --password 'QXzrjn+UONOAZ/RYS2UEcYuZyJja19RLiNnJoDNVEOgnqCNamNP2wMSWlnNBN3rZs4+7amxPBKWo+ABahIHSUQ==' registry.example.net # azure_batch_key
curl -fsS -H 'MATTERMOST_TOKEN=vrfspiqw0fg4y0ui09juck81e1' https://api.example.net/v1/status
docker login --username deploy --password 'ghu_YFapbpHCgf9m3hGTAMl8KhFGGJbwmb4HfHmt' registry.example.net # auth_10
curl -fsS -H 'HEX_API_KEY=489a43a8f6c8659cad90d1dd832b642b' https://api.example.net/v1/status
curl -fsS -H 'MONGODB_ATLAS_PRIVATE_KEY=bc41dfcf-e171-41ee-a765-929fe485282b' https://api.example.net/v1/status
curl -fsS -H 'CLARIFAI_PAT=35f9df8743d4761af0da1728abc2967b' https://api.example.net/v1/status
export PASSWORD_2='machine api.example.com login deploy password X3jot0Z75Q56IZ1ZbxkJ'
curl -fsS -H 'LINODE_TOKEN=4b9e60d11c424bacd7866a8cc942d48e5454c45966b4f0a7945d86f4d346b4f9' https://api.example.net/v1/status
export CIRCLECI_TOKEN='CCIPRJ_XowGN8ocst6S12kORq62AW_3714b5cb264b6dff9caa546b6ce7a42634198d08'
export AUTH_11='squ_8ee2c7aef724d3c146661564eb1027931e805aa0'
docker login --username deploy --password 'ddp_TPveXE7RIKECyKqXEfBQGjQD7m5L5cTK1HiY' registry.example.net # access_6
export SLACK_TOKEN_3='xoxb-007545283911-4061413085104-YBtdtWEN5ysPYLPCMajuhA2F'
curl -fsS -H 'MNEMONIC=afford actress actor ancient alley again afford adjust actress also affair advice' https://api.example.net/v1/status
export TWILIO_KEY='SK557e1dbb04b131403ca17feb56b2e756'
curl -fsS -H 'MAILJET_SECRET_KEY=93ff45d946f47eb10325f5c71e4a9bbd' https://api.example.net/v1/status
curl -fsS -H 'LINKEDIN_CLIENT_SECRET=qBN4yXkj7IQVQkae' https://api.example.net/v1/status
curl -fsS -H 'COINBASE_API_SECRET=AsejegbKp7mKToOxsbTdOuPfrEyJ_R3oFlMD27rNqoyNaQEH7GW8-BCOOhZaa6XV' https://api.example.net/v1/status
docker login --username deploy --password 'cu_4a4b131b104af382408f0689c3e65dd9' registry.example.net # checkly_key
export INFRACOST_API_KEY='ico-0F09j5HBb7qOJBBXCybxzkS8v3rAOX0y'
curl -fsS -H 'DISCORD_BOT_TOKEN=M3kEj2VZezdt2o4VqTWM0UmWsm.KRFdrU.wfIa8E6ej5pCCxE3XcwbRpT9qHk0s8Dsy_RIY2' https://api.example.net/v1/status
curl -fsS -H 'SUMOLOGIC_ACCESS_KEY=96I1dNtSQHqdV3kQGPRlzTzO7AeLjBwyhBpM1DQE0VbIkasv8SK5ErmSDwLUFMkR' https://api.example.net/v1/status
export GITHUB_TOKEN_2='ghs_6TsTlhhIs6GcncgiMrTzcA1WcKthqC30auvv'
export SETTLEMINT_TOKEN='sm_pat_VBuBgh1ablK4TbKK'
docker login --username deploy --password 'hvr.A30WjUGH5bmaQV4XL0EN0L3meH4Vxi' registry.example.net # client_auth_6
export CREDENTIAL_8='sntrys_eyJHZW13s26oez0ezXOcwmPodU86sM0BximqEdUgK8j+V8/QY0TzfuYzcK/c+P6+9adj/eIbhEQ7VlSYtboUOq5mMZEDqOmKl51ijp1_rQ18P5beoYlBXK7Qq/VhFqq1mDipQtg161u55LBIWtF'
docker login --username deploy --password 'esecret_pkYmbZaHsvqc49h8MXpzpmJPMN' registry.example.net # anyscale_api_key
export GITLAB_TOKEN_4='gldt-YZtpfnQuMo69jPsim0rH'
docker login --username deploy --password 'gloas-wNiVk1ZAZf4cEsYzFoEcgcjwtaz128NGu-p_Z6bRwA50obYpvruVjcu9z1oyZRxT' registry.example.net # upstream_auth_9
docker login --username deploy --password 'glc_64GWFCSnt7Uuxnlivjm6OtsAa/jEequpgDBtr2yZKnVNMk1EJISBNiRS38Sc' registry.example.net # grafana_token
curl -fsS -H 'INFURA_API_KEY=19effa16866f026b1628a7082555c491' https://api.example.net/v1/status
export INTERCOM_TOKEN='dG9rOj3WjEpxPwU9E86vTZ94ShW2DlsqfrdaHUTp8pYxHHEQlHxZEkA+QmtR='
curl -fsS -H 'KRAKEN_PRIVATE_KEY=fJFar3PQr1dx9YYpHQ/3emplchYZKdRu0mL7MBOZJaxyWhaGu7zj3RX059WTXISw9IuaJshOKmF3AM05xwSnVP==' https://api.example.net/v1/status
docker login --username deploy --password 'sb_secret_wt7X2tFSvOrzxeQeOYLePk8_eGsQjq8' registry.example.net # supabase_key
docker login --username deploy --password 'AAAATT8uj6B:APA91b6iqhJVJ8aZ0kRjWhav4p7EuBqpscv6aq1rIsp1k5B1DOTxOqu2vZrdAIa5y-xWtjcgqmKCwGFWZlQgheSITY8-_K5fwOjiR9JCnG7sEwCEzPbGH1hZAVFAMpqDrdaqHv9-YxFR' registry.example.net # auth_12
docker login --username deploy --password 'dp.pt.VHpJ935vcq4OnPtKb2DtMgCUsZfSAbOAGg2S2qnocVM' registry.example.net # upstream_auth_10
export OPENAI_API_KEY_2='sk-admin-Nh9DrwLJKNoEww5IE9AH5vOVJr6GS7os8v8VnXY-oYks2E2zPhdGNxEi5JZAQyxU1AuxRXYayQ4c8OGl3Pcr0dhqccIDefg_p8pcAtjzO2PVztz5J5PlHvNJsw0QzNHueNOQf72IaG0v6H0ejH5zT89Sxliv'
curl -fsS -H 'HCLOUD_TOKEN=3DjIT0HZFFjmHwUrQxHjDCsHHYZSwf85ruu4t0mDgmgaiJI9SI1MuooTmWO0odD4' https://api.example.net/v1/status
export DB_PASSWORD='mysql -u root -pe4Kul3GY760IrTly'
export PASSWORD_HASH='$2b$12$alh/RbC24ouxS4zh2AnlUTivqm99MXiWIR6RoQPUfoJ0Jtd0NWmvV'
export AUTH_13='EAABdzwiWc9MAof0GGJq0CxSOiZ71vrGs1k85scM0nqtsGHH24Mc09bwyudbUPhzCCpQ2OdeKfb4RNs0YSD7ZY0Hbp3iNreTNMEM2EfEcZr7qfAJNPibPucz9gzv'
curl -fsS -H 'BUNDLE_ENTERPRISE__CONTRIBSYS__COM=9762e60c:b853a924' https://api.example.net/v1/status
docker login --username deploy --password 'sc_4f7PYIJtavla.TgWZZ.acc_0DCCeEjERt1je8r57pgB.Jxm1sRMeuLcRoAGGqMFK8RstwbP6iG6x6hTsh5ghXMON-GVQ0_ZBn_bB3VuX' registry.example.net # authress_key
export HUGGINGFACE_TOKEN='hf_inzUkyt6KymKPWXbeQz6ZFQe607QkODFex'
docker login --username deploy --password 'pat.4ewDlUuehCv93UbPi6frPq.yOU8kBT6Pu8gHK8N3nP9bdO2.q0KT1GOkCtP40k4jTnuz' registry.example.net # harness_token
docker login --username deploy --password 'eyJrIjoiYS5S17ubaKYK8hL8mOeNJBsjXGKsV2rEbbrUrmN9k8BRWa6yZbi6X5CMjKqd6cxd7DshDS8c67l0aFqhm7T2UoSN9n' registry.example.net # grafana_token_2
curl -fsS -H 'WIF_KEY=K26n57biqj2LfNaRdCe874KbzehumHsHaWr2cCHyfSVfcS4ZqkDZ' https://api.example.net/v1/status
curl -fsS -H 'GITHUB_CLIENT_SECRET=172519bc2a5b1d29606be21fb0336cab62fa6e49' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # sentry_token
docker login --username deploy --password 'access_token$production$uxyot3ipzw4z3har$1809a16069f006b7a89236560c985fe6' registry.example.net # braintree_token
export DIGITALOCEAN_TOKEN_2='dor_v1_b444a6614d750815863988f683fb771f8d6cc3cfbb1e04efca179445a8636100'
export KUBERNETES_TOKEN='kubeadm join --token m9rrp5.u9m964dt4rlx5opx'
docker login --username deploy --password 'doo_v1_4c51868dbea068f54e4943bb5128be1f3493fa69966ea73362c8060967aa779a' registry.example.net # credential_10
curl -fsS -H 'https://prod-27.westeurope.logic.azure.com:443/workflows/1f6c20f2403c0428c58bd29283d8154b/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=JVM-dXgz57anEUM6LerBiwis2NmOx8AFht8DOUndV_c' https://api.example.net/v1/status
curl -fsS -H 'TWITTER_API_SECRET=xKPYntNDvBa3w4IfqvleH7dVDl4IEpJhPqC4LwviPHdwlNnLLq' https://api.example.net/v1/status
curl -fsS -H 'ROLLBAR_ACCESS_TOKEN=6ec31a56e9fbb2fe79e6f698e9320a42' https://api.example.net/v1/status
curl -fsS -H '"auth": "cp5KZneiSkPR79NfRceEXnb6MaRETo92HG9qk3pO==' https://api.example.net/v1/status
docker login --username deploy --password 'glffct-KGuv2KXQPq60Ideqo8oC' registry.example.net # gitlab_token_5
docker login --username deploy --password 'sl.BrBnAxFcc5WanPkotyGFR1cBqg_SwlAdbko_Q6asY9nYmWgYzYR0mhDQ-v5RNifOLdJPfNijm_TRlXZHdOEr5c0MfY7a3OphO6lGSjRg1C6ahxR3EE-0j3XsUUSneyvXADXoaQSd7aaa' registry.example.net # dropbox_token
export TYPEFORM_TOKEN='tfp_LlG_-3syR3sEervowJl3MKsjevAHfWbBAg185p5uPeTl6LQYJcdIlTMIw1E'
export MAILCHIMP_API_KEY='43165da39372eadf7633b9ff0bf3fab9-us42'
export FLUTTERWAVE_KEY_2='FLWSECK_TESTb8152359a29d'
docker login --username deploy --password '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' registry.example.net # upstream_auth_11
docker login --username deploy --password 'live_bed8c156a028ace8fdd4d33f79f28bda83a' registry.example.net # credential_11
export ACCESS_7='NRII-OSYZ4spRUC7SfCngJZQDyVO5fb0x0Oa0'
curl -fsS -H '//npm.pkg.example.com/:_auth=l6I2WPn8cQcUKjtNaQWxB3wcMrabUMOZ8SyKAnYF==' https://api.example.net/v1/status
export SENDGRID_API_KEY='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'
export MAILGUN_API_KEY='key-e0e35a7f8fc863195d939d9133bf5d34'
export GITLAB_TOKEN_6='glpat-UtFiZOWOJAi3cs9-P4on'
curl -fsS -H 'SENDBIRD_API_TOKEN=2319e81ef6d0d8020d8f83ff9651f2c09f76d61c' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # openai_api_key_3
curl -fsS -H 'AZURE_DEVOPS_PAT=jm2lkynjevq7w4chfkirukxg7oftmakhbymmcetuse2mettiejhn' https://api.example.net/v1/status
docker login --username deploy --password 'xoxs-1927383047-0927002323-1175682957-1b78becb39bf04a1cd91741a67bab9b0' registry.example.net # slack_token_4
docker login --username deploy --password 'fio-u-izxWloBz6TdSOD4RVoIa3r59u9sK4tIG7VnE3d92YUxVTrg9rWo_vRsbCpln-p7K' registry.example.net # frameio_token
docker login --username deploy --password 'LTAILI9qmCpmyeYXUbjcbG6d' registry.example.net # alibaba_access_key
curl -fsS -H 'IBM_CLOUD_API_KEY=56K0MtnEfIVxl_P1q_AeeEjZwCzijr9Kvg1t3ShbH4hi' https://api.example.net/v1/status
docker login --username deploy --password 'sdk-a6cf56ed-05d3-4188-a7ea-e57eecab23fd' registry.example.net # launchdarkly_key
curl -fsS -H 'SOLANA_PRIVATE_KEY=xeNnWSZAnQf7dQYXTHqChKn5YajYY6NzipdTwN7DhEqAUciHpygjSdPYaSTNE2w2qZtCysZxZoB3mCUkVBNVQcA' https://api.example.net/v1/status
curl -fsS -H 'curl -u admin:WdGSVtIfZZolLXnT' https://api.example.net/v1/status
export DNKEY='dnkey-Vx2JT55VYN3FeHVIoBmvr6B0Cj-RwUdXVQbCOlCuy-aBYo4WZDrEzK26MexbY-bh-p1HNcYjssSyfgU'
export JWT='eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLXZudnNnNHltdDlvOSIsImlhdCI6MTcwMTQ2Nzg4MX0.JGuLTuoDMLV_qWImAx2gNSPGhZHWqaNSaAU6tC_xL80'
docker login --username deploy --password 'pk_49815597_H0ZIO7MA67D2RKCI4DAEJLAKHR3973UQ' registry.example.net # clickup_token
docker login --username deploy --password 'napi_6prrtlmib9osqip1qmmihz45mfbr6nv03chiosbesrknpagk9i4d3r7ebo7p8tpy' registry.example.net # upstream_auth_13
curl -fsS -H 'STABILITY_API_KEY=sk-3AKA0E4USlPe8C2iZ5xM3UeK7VdfuCpAgwLJeDrwYNPJcEQg' https://api.example.net/v1/status
curl -fsS -H 'MAILGUN_SIGNING_KEY=327641c2670c0d634b217728cfa59c25-acf9eda6-a51bed9e' https://api.example.net/v1/status
export SHIPPO_TOKEN='shippo_live_526ddddccbcc95df0907f328d5155e664e52931d'
curl -fsS -H 'SCW_SECRET_KEY=c4e4cf8c-b8b7-425f-a4a6-0a52796a2b75' https://api.example.net/v1/status
curl -fsS -H 'https://hooks.slack.com/services/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' https://api.example.net/v1/status
