#!/usr/bin/env bash
set -euo pipefail

curl -fsS -H 'ENCRYPTION_KEY=02c28ecda2591cd4f5fa592f916b13af4896dda2866db74e044233ccf06909cd' https://api.example.net/v1/status
curl -fsS -H 'WANDB_API_KEY=2a59592266401feb1919dcb08651fbbc3456adb5' https://api.example.net/v1/status
docker login --username deploy --password 'duffel_live_pCgSlr3IK18Cm8hNVlnuXc70Ls8XK9S3JDsCsDvchc5' registry.example.net # duffel_token
export FIGMA_TOKEN='figd_E9xHKIKmDqYYmP0GdhW1VLA0M42hNpJrS9TecLNV'
export MAXMIND_KEY='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'
docker login --username deploy --password 'sdk-d4ff5e23-e455-48cf-af9e-f70cb51e974e' registry.example.net # launchdarkly_key
docker login --username deploy --password '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' registry.example.net # credential
curl -fsS -H 'DISCORD_BOT_TOKEN=MPfp9BOwqZabtezAX7dCAE2HhT.UZ7aBb.95USkDApY3u_hrJSXHM24gl85icf3P3fc_Uall' https://api.example.net/v1/status
curl -fsS -H 'IBM_CLOUD_API_KEY=FqxAZYVbRed0-SK1b0Tz8UMl5k9sji4-F7PtCv1ZD54M' https://api.example.net/v1/status
curl -fsS -H 'SOLANA_PRIVATE_KEY=YaN1RBamZMkEw2a8zfiRU4WR4WomcNdEa3u6UCrNExJxZqwCk5MkafADrzNNhZNeEZYZFwzyDBt1rCn5jKVx3Zo' https://api.example.net/v1/status
curl -fsS -H 'VAULT_TOKEN=s.TbbhnbASggWLzW873LnIzZkk' https://api.example.net/v1/status
docker login --username deploy --password 'xsmtpsib-2858f8433d804eb81e0bc69330ea3f24f2627a2eed96ee0348c4af1c26006b2d-8E7lFTJpvvo749ba' registry.example.net # brevo_key
docker login --username deploy --password 'sgp_b265ab2f87190167_7a8c88f05c43e4c41ec35e78014c50acbc8fa661' registry.example.net # sourcegraph_token
curl -fsS -H 'ROLLBAR_ACCESS_TOKEN=46004ccfb79862c2274d70d48284120a' https://api.example.net/v1/status
docker login --username deploy --password 'glpat-aTfoVPcMKExEGc2y3nSr' registry.example.net # client_auth
export DIGITALOCEAN_TOKEN='dop_v1_a1fdc4714b9b4fc45fc512ffe6d70c7824e97d6076f819c1ae13bda8666b9bf9'
docker login --username deploy --password 'NRII-DDLcuL9Yspidp6JXk-OH48KOegCr_k7F' registry.example.net # new_relic_key
curl -fsS -H 'TOGETHER_API_KEY=tgp_v1_WgBdUy9NfooBScxELo50ogOQQlRxWO8gP_enBsmtl-3' https://api.example.net/v1/status
export CLIENT_AUTH_2='aio_D7IQG7fxb5YQZJyVFiZU4k3BLqf9'
curl -fsS -H 'DEEPSEEK_API_KEY=sk-29f1b1a6b78cf1477c4fbc7368512a51' https://api.example.net/v1/status
export JWT='eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLWpodmg2YWNpcHZ1diIsImlhdCI6MTczNjU2OTgzOH0.Lx3XQWUd8srPuUARQAjnl8wEkDG_e4_FyT4PywokTb8'
docker login --username deploy --password 'pul-853c328e2914788cf0d92c0e69a5e1c1eecd8204' registry.example.net # pulumi_token
curl -fsS -H 'AZURE_OPENAI_API_KEY=dfb02638f5a754d3e8d75f65a3e9d98d' https://api.example.net/v1/status
curl -fsS -H 'arn:aws:iam::644416463218' https://api.example.net/v1/status
curl -fsS -H 'ELEVENLABS_API_KEY=sk_b45a3ed782c913d96c3183ef31ca601b43d3fdb02b5da5c6' https://api.example.net/v1/status
docker login --username deploy --password '-----BEGIN RSA PRIVATE KEY-----
Q6VcOA6HMltsUUIe0my/DaQeS/ttFok6nuoWFq8LFtN5yAYN6Uubgmu91xArVgin
VoYGSyBS891uHUjWu8rDNUz7p0BRSZsWQlL23cHvZWYacnEF6wM53uLkBNsNzr+N
M2zHTePkMOxJ3dGO3bKlyg4gmSTBcW6qKNk+ebREVeZmjMYGVgk2LOT3UsmkfMOX
g1ZK2yp9jNl+9X+udT9Gk7McS4tt1KC9EedcZ+QP6ZWB0pxE/zCOa8ehvkUixxkY
I9QNDPAz8aqNVhLoEGJy1lBYp1SZj/0oMA6Zhr5OBPVkPoORBANugJEPSYby+VDM
EYbBnxe0/LUJWiOL/tNYhDv0jTKBFhcHnkkVA/SjdmRPfIg7HkCK+EFwLjOduh6i
iJhIP1EQcrHU+ZNagH0/5TbjAlkj8/VEonzRmnFxCqmLUvFnO6jLaX/7con5b4T+
VwKSpQEZjfxI7P01PNDfS1YmqrobMTMbmN88yFQ1bQ7g6OBx7yq2bPofsQ0Q+iDn
4ERfa0AhmpPFAY/TQ6cyDROs9Xjrej/osnpL9g2vkL1v10QUDO8nRQ1RAn9P4EiG
woi/Db+Op/A9Ss/qwhDOGb6l7TKhSS8AYCTRem9vc7715oBr7iE2lz01C6JjMkMf
r7NqwnefTgqzmH/pv/lDKP1laQKPZ/nPZXmhDvzzURQZ3OlI8MqejP1fmDF78R12
flnevocxJhIVrZtbgpSecC3v/yJUUnJbarwWIaET2UwONnxTmShRdo7WnA9BktsU
8UpP3994vKRD8Mq+4+0YhOfRUb5cEzuk
-----END RSA PRIVATE KEY-----' registry.example.net # auth
docker login --username deploy --password 'pcsk_sSabqH_ZpFv2SFszrmk17jJIYaLQZEWLSVAk5yK5t8t6p6PfetzrWeZaGlwxnueRqoIhccj' registry.example.net # pinecone_api_key
export GOOGLE_OAUTH_TOKEN='ya29.a0363Fj6TpojKFtuODLnNwUrndwuPkX3Rvk1rHho8NfJiYLY4P-woYfy0TAJQHCL9r5VxrRXRBKUO5fLoHSvRwkSe_ARPqwBVUpsMSwTX97pb-UbE9HUSpLBeIsgsxXWU1wcz8Am-C2PFYb5XlQEChe1'
curl -fsS -H 'GITEA_TOKEN=0fd945dc58797d502a7bf42cf1141330bd6abe3c' https://api.example.net/v1/status
export GITLAB_TOKEN='glffct-Bq0xVqG2Jyp8Y0KIXuh2'
export CLIENT_AUTH_3='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'
docker login --username deploy --password 'dckr_oat_yBPfnjaaAZuLMFP4jTFrj9dnEgwQqIwb' registry.example.net # docker_token
curl -fsS -H 'Authorization: Bearer vOXmvDMg2VFfHt3hSLqo5MhUhCvSZ9CxdGcG8bc7' https://api.example.net/v1/status
docker login --username deploy --password 'pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogIjViNzY0NDc1LTg0ZjktNDgyMC1hNTQ0LWZiZGFjMjQ5N2E5OCJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiCI2nkRdYNhBl1ViiJZJ_vOV9H7EzeG4o8cCTSplzOgvg' registry.example.net # pypi_token
docker login --username deploy --password 'Lx1N2Clkd6K7+ustNhAPlKJaVzTezV8K0AZEGNbtkhi=' registry.example.net # azure_event_grid_key
docker login --username deploy --password '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' registry.example.net # groq_api_key
export AZURE_STORAGE_KEY='O99+vfi4zaJVi7ei6EfpwfOvjUbJydsT4Nrw8ujc2YnbO7G4V4XLb78t3qcTNhHVHu3gCLPMerkH+AStueCKTA=='
curl -fsS -H 'COINBASE_API_SECRET=DgLMcCYse3SpR5WA6VLK2IymiUPbMQBhorCya9sJRhqpZAzxlr6N0oz3d36SoxoJ' https://api.example.net/v1/status
docker login --username deploy --password 'AKCp7HUhFOUC6EwxzXgKdyzZVsaDm88xiqXaZbDTUHpWA7oJmonAwfUDcFLCK4KDuSsxTZBAU' registry.example.net # artifactory_key
export AXIOM_TOKEN='xaat-549c8fd6-c076-4437-af49-cf00054ba561'
curl -fsS -H 'TWILIO_AUTH_TOKEN=b1f7b5a916b08ff127e8a858627d67d8' https://api.example.net/v1/status
curl -fsS -H 'JWT_SECRET=gCQgbvchGy58Ig7jTT62IDzRgI4rNsHh' https://api.example.net/v1/status
docker login --username deploy --password 'pat.Zg3aYVEHpduiH6-EtC2BkB.5LR2DX1Aj6LTZe1xaxvatkdw.zU9JghULWrLZRiAjRXVJ' registry.example.net # harness_token
curl -fsS -H 'SNYK_TOKEN=3f36f3c9-0825-4475-a4c8-092a1c37de13' https://api.example.net/v1/status
docker login --username deploy --password 'AAAAZ6Vuec0:APA91bhLlIdjS5MKyVo6VHVyblW8TFF5OYoXszq1MUH3ObHvXpJL04YlpDCcubIttGzrCN39uetc5S6KjG33vH1V7Kv0kUAwO5mt4k5SpFY4Xhbc0Bx1MtmTpr0upfi2D2hKI8F2rEV4' registry.example.net # access
curl -fsS -H 'RAILWAY_TOKEN=80500907-204d-40f2-a115-17d4ac8f3854' https://api.example.net/v1/status
docker login --username deploy --password 'sk-admin-Pr2TgZIUOH1mt-vX_CF5uWZ36iZrojguXQsmfH5-nr5OBDJPUFWwj0UOQhSqHQUZCpzQ2EvLrX3hHHmGJQDS63wJSZBlmNYKsOPep3lhyuaMojqblyTlMV7DV7jouw_ckaeEkYMsYMGM-Dosw48szyzzCAyd' registry.example.net # openai_api_key
curl -fsS -H 'RAILS_MASTER_KEY=0d0dc7e2b2cc41fdc403c8e8d444476f' https://api.example.net/v1/status
export CLIENT_AUTH_4='r8_KKL2eJedumALX73MISWmLYnkyyp17ChKwhnUX'
export SLACK_TOKEN='xoxp-65627049806-45429566097-2449650863021-dc8dd81e50ecb95e012ac6f395b1c84a'
curl -fsS -H 'Authorization: Basic wRri+VIVSVZau1PBo8aWbgzGADOqnRkb' https://api.example.net/v1/status
curl -fsS -H 'SESSION_SECRET=HhJbQwboyE71Zqwm3pyEtePalYe0Ozq8' https://api.example.net/v1/status
curl -fsS -H 'jdbc:sqlserver://db.internal:1433;databaseName=app;user=app;password=pLJs4t4xqrdcuVM9RR3f' https://api.example.net/v1/status
export GITLAB_TOKEN_2='glpat-bzprcXlxCnU6NGNrMGm6FG45VkYW27ZSoSFG88_vEA.01.1607z7krg'
curl -fsS -H 'ALGOLIA_ADMIN_KEY=43db2a7d94841008bd400f03cc22c520' https://api.example.net/v1/status
curl -fsS -H 'GITTER_TOKEN=Qw5mQET2xrNJ2Tr11-bIS-A3AXwF3VXeCdvHoykG' https://api.example.net/v1/status
docker login --username deploy --password 'EZAKUQfb6ZAvTiHN4wHseKrRhU17VJpQAxzDp1QEjg51bZybrtYjQbUCc9' registry.example.net # easypost_key
curl -fsS -H 'MISTRAL_API_KEY=ArzTEtthQvK0ZikQDYlZUm0nU0Dzls09' https://api.example.net/v1/status
export BRAINTREE_TOKEN='access_token$production$o3alrzmj9nue1hmr$e9caffa0ef7305459174318deb490a89'
curl -fsS -H 'CODECOV_TOKEN=52c1890a-357f-48e8-a2b8-b49dab6aa1f8' https://api.example.net/v1/status
docker login --username deploy --password 'AKIDIbGMSM3qpgqcIQ8PhJv5JLiVozofEsWj' registry.example.net # upstream_auth_4
curl -fsS -H 'https://hooks.slack.com/services/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' https://api.example.net/v1/status
docker login --username deploy --password 'bfbccc911f34be54f93af9a177c6cb04100bNRAL' registry.example.net # auth_3
docker login --username deploy --password 'access-production-315bbfa2-47bb-4a57-a3ae-0b7b7e9776cf' registry.example.net # client_auth_5
docker login --username deploy --password 'sk-lf-4859c1d6-1b78-4e72-a547-ee6262103d61' registry.example.net # langfuse_key
curl -fsS -H 'ASANA_TOKEN=2/2039517616749508/9396918772667806:734f0d5d41f0782147e22abe2d2d754c' https://api.example.net/v1/status
curl -fsS -H 'JENKINS_API_TOKEN=1149df2992da8e1774c3e3f1f68ac8a42d' https://api.example.net/v1/status
export VAULT_TOKEN_2='hvb.pkW38wu3-gNrtCvrFwPkY5ANLyFcI_ha_ZkZJYLCa7Tl9rX-0NVQSpGDlhQ7PNGWovwjPiCaW1FlijghdPzl9kVIKewGGsOIXNeKovaJAhdu18OH79KQtzfrxo045VLc7Teh3cFtRAUo'
curl -fsS -H 'STABILITY_API_KEY=sk-0MUFWiMvd4SjQjS4RApV33kgA4sqmhSoctAzQrfXpOimF2cx' https://api.example.net/v1/status
docker login --username deploy --password 'y0_AgAAAAY3aK9qjeQXq3jhIcECJi456M7C1UEseImoqCwcD_4q_5n1i0uf' registry.example.net # auth_4
curl -fsS -H 'ZENDESK_API_TOKEN=5XXjTqedT1qMXgaX4WH6kjb7vXtSpsDro42oGu4Q' https://api.example.net/v1/status
curl -fsS -H 'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=WXKElLWOTp37vIWsIT5Xr9huG6WVNB7VRjAgCDcpGyd=' https://api.example.net/v1/status
docker login --username deploy --password 'glc_pLuULP+PEG02Q4zBVvXF7aEe3/KjUgHvTSYE/N4r4guYy2Ubi6WOSlrf+9mm' registry.example.net # grafana_token
export DIGITALOCEAN_TOKEN_2='doo_v1_f7192504f0c588afe9e8aa1bf6f62b927bcf3129ff19f8b400102e3596684852'
export OPENAI_API_KEY_2='sk-svcacct-FeFOtTwtSSLHXlbbIB8RiTg6Imc1pWM8TmRCAjYBIg_bMjnMKv8XxCiHLmLWL3LTd6IA5Vjc0WGW59jUF5RM7pCM17UoTCQl08D3AfjRSQzDyp_Q3lTerFCLpuN5eFPbxSsocMsjv8FsnRmT90weCV2-ufzU'
curl -fsS -H 'SUMO_ACCESS_ID=sujUbSPUm4GeWz' https://api.example.net/v1/status
export TRELLO_TOKEN='ATTAyAERc2xCTdORJCxbPxmOtW0LojLWcsMIxSdZRchH5law5IIO0gOUDiz1mRQnEfOB89316743'
docker login --username deploy --password 'xoxs-5554355717-5281204962-8761134111-6e1b0abe503c4a6cc16ff18fc49202a1' registry.example.net # upstream_auth_5
docker login --username deploy --password 'pk_30154041_2WPGCE05276JO8GE9SAQRN3J1OXO1IOE' registry.example.net # auth_5
curl -fsS -H 'MIXPANEL_API_SECRET=46815cac99a644cedbc038960573f41f' https://api.example.net/v1/status
curl -fsS -H 'APP_KEY=base64:Wjwn/UhOTiUnu/PuHDn0kel1x4PPevbapUb1s5lV5in=' https://api.example.net/v1/status
export XAI_API_KEY='xai-hYkna9U3pCQLEMRxYWbQz7Hkv3D3C3b2xbNS1j9mQvecepfJl1n4YHXuZDJTh7VrjYF5cbQgu9mx8mSY'
curl -fsS -H 'KRAKEN_PRIVATE_KEY=6CSM2EGYw+Uw0lmeN59Gru9FTG1MdejNwDOCwIB2NOtl3LtAmDG+J54wfiNhVTI5YlhmscVtmufHO/Z6+cSnkU==' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # langsmith_api_key
curl -fsS -H 'GOCARDLESS_ACCESS_TOKEN=live_lCsivWKmdN_t1iUYYMBdZiTNuAtCe4Izapn5stV8' https://api.example.net/v1/status
export CLIENT_AUTH_6='shippo_live_dd693158eb795b11dde43c1aa06b6b934a33f91c'
export UPSTREAM_AUTH_6='sshpass -p PLDlj17RzoKEwyA2'
export AZURE_KEY='lolO7bISYExLGA8NZnKXuzQn3TAiE2yjbSQkAKWUp5IGFxSrWmWXJQQJ9DlAW5KxM2nYHf1m27tyFJqj0aJc'
curl -fsS -H 'TWITCH_OAUTH_TOKEN=midtw6x5judv2s9svgh17vkrcfbozg' https://api.example.net/v1/status
docker login --username deploy --password 'sha256~i7lTWM9OtrO0PxLdPiV5PKScrfOkxBkBY3rh5uSBXm9' registry.example.net # openshift_token
export SENTRY_TOKEN='sntrys_eyJeSsykJKl3H8T9yXwUcYmtZ+OyK5JwAK4CIPy1OwKbmyyJkqDWlg6Qb6srXTZ1CH+G697MbtyO+YZw56GToHxHfZ15gdAt0ZbP8SF_ggrnqxrr/EcXknI861ROoRpVBdFOHpPEnvCylhjo0AX'
curl -fsS -H 'OSSRH_TOKEN=ulacP7aeToFvrqzOYvrdmMRdQEc/D+rult4CnlvdsMLl' https://api.example.net/v1/status
curl -fsS -H 'client-key-data: LS0tLS1CRUdJTi34W0nbzdrbq5ntbVw2w49auPhgiQK1ByJA/G7+xrgeUZ4m57t+idQFqBrCaXa+JLkz5gZW9ZsFgSdgpJ9BcOuX7OobDJCyibeJU7CNCw8pu54ToBIwG9JLX/HpCEdggGh41LQQ+XAwmySMvaI89GsHxiyB0PZ14S4McXU1C32NALwaG5HAVPZLATy3Zt9TFBd0b9wz+WsjJGC3Qmu2ZUPKPZE9WkrzqU45lxmEjRzz6GeN0GELuJEwyCt8hBJvN2tJ+NMDtjGjjhPqlo48NoBYGJNfv6Iugxgex6PyLqPdidJQpGMXUU17Pb5JWJuipJeuFaBarlW8f5BvCGk30d3X5XCFGWAO7G8vaT5La3Utt7ehrjRNGNVAB0uPMvzrUsSKmvBMTTyeobU2q5' https://api.example.net/v1/status
curl -fsS -H 'WIF_KEY=K2esdexC5sM38QiuJdBm5rB1DPb8BxaS6kgEHq5SFyUsR3LA8ofw' https://api.example.net/v1/status
docker login --username deploy --password 'ocO8Q~PofUmQQLWd81ZW63ZIlUhL734msKuuNBa7' registry.example.net # azure_client_secret
curl -fsS -H 'Authorization: Splunk df047640-42c0-415a-a741-21e234cf1b0e' https://api.example.net/v1/status
curl -fsS -H 'INFLUXDB_TOKEN=YnR5pMCUKsYCH-LTIkiBfn23_bI_EEW_5gmrfZZF6gq5Q6o2Ltjwkat2fnZ_rndOQL50yeQbpmzy8qVVepaXkL==' https://api.example.net/v1/status
curl -fsS -H 'MAILGUN_SIGNING_KEY=d69b9016870cf7022ed2cff0e63a1ac8-9622ee50-7d582145' https://api.example.net/v1/status
export GITLAB_TOKEN_3='glrt-kXJ7ael_iBlL8z0JIZiC'
export AUTH_7='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'
curl -fsS -H 'ASSEMBLYAI_API_KEY=b8c4be97547b8c8140e07d2e25e8d2ea' https://api.example.net/v1/status
curl -fsS -H 'LOGZIO_TOKEN=vpmtbjekwdedrdyeBIFFMWMUWDHDWQWI' https://api.example.net/v1/status
export GITLAB_TOKEN_4='glrt-t1_bzpjczFoCnU6MmMwZWEj0wzdgqqyDUSdYfuaPYF9EA.01.160nii0x2'
docker login --username deploy --password 'p8e-rYEudQEvtNGm36uRiiaziErkWN8e8Fn5' registry.example.net # adobe_secret
curl -fsS -H 'DEEPGRAM_API_KEY=f40eb8c51ca2c9827bcc558b600d33a4458dea1a' https://api.example.net/v1/status
export CLIENT_AUTH_8='hDkbJM/3JiPR+r/UUQdY9qF81IGt8psVh+ARmPh9nYt='
docker login --username deploy --password 'LTAIpBkTQNmxLiwrgBICXwrr' registry.example.net # alibaba_access_key
export AZURE_APIM_KEY='u2tY5hJTcvaXC+n1nAxz8xHQ8xVNOEV2M4ueWihAn4mDU/Y/iIoLo8KvqVGahFad8B/VdHv4UaRCAPIMjXpENA=='
curl -fsS -H '_gitlab_session=d0214e845490eef587c1c976c077bfd2' https://api.example.net/v1/status
docker login --username deploy --password 'pnu_ahWTFFqAxjlyVQL3XCzkMJqUqRwSh5XdnL5S' registry.example.net # credential_5
docker login --username deploy --password 'xoxb-951609547267-3070355951368-KHFS2dKGEFTUTl0WgkHPG84J' registry.example.net # slack_token_2
docker login --username deploy --password 'amzn.mws.3604722c-9377-40ba-afaf-072c953c40a8' registry.example.net # aws_mws_key
curl -fsS -H 'SPARKPOST_API_KEY=be5673faf082cd3520a71796ad7f138d6829f42a' https://api.example.net/v1/status
curl -fsS -H 'ETH_PRIVATE_KEY=0x838675a310e60155f41fd26330d96b4fb975ac1b56d86bb1d51da0c670b13910' https://api.example.net/v1/status
curl -fsS -H 'ETSY_API_KEY=oj9vjpxoysxene59nw3kvgcu' https://api.example.net/v1/status
docker login --username deploy --password 'glptt-3912821986db880b1f4cf62182886019baf8785e' registry.example.net # upstream_auth_7
export MAILCHIMP_API_KEY='22e3776dfebd1f377cbb9f7248ec5ce1-us75'
docker login --username deploy --password 'xoxe.xoxp-1-JNHdQ5k6xhalq68i5V9vuDBkFLb32athn1XNrw7anCBl6ieK3JpZ5BR49OzeX2VOOiJiamMD2noY9feMjXybYVBlqJzwGJoFygwV8t7DdM3p34bnzH6pktf325uUJCvjwadlMUyTbaFfZ1RqyVDb7jOsgTU2qOsD' registry.example.net # slack_token_3
curl -fsS -H 'AZURE_DEVOPS_PAT=yqnwmnr63miczqvaaf3bxrim5ijomo5pppvfue44vsjruocxsmts' https://api.example.net/v1/status
curl -fsS -H 'PLAID_SECRET=c8ae2d1f3a3404b1cb8011bd84d251' https://api.example.net/v1/status
curl -fsS -H 'gradle.publish.secret=vXP5vfhsoLfxiBlVHLq8jqXQcrBZptNm' https://api.example.net/v1/status
curl -fsS -H 'OCI_AUTH_TOKEN=XvmX4DTuiKxR2RdCGUDc' https://api.example.net/v1/status
export UPSTREAM_AUTH_8='KRBvAqmhgL1lsW.atlasv1.9UzL_6irrk-Z4LUe_V_gWxz-aY-JX7CD3GEBxb_otlL1Z5ZjYHLNWpdBc_5DzYgr5BJ'
curl -fsS -H 'Server=tcp:db.example.net,1433;Initial Catalog=app;User ID=app;Password=OcCCQFXqpAgI6vSJaIJp' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # github_token
curl -fsS -H 'FRESHDESK_API_KEY=PoQYxvAUWpjluvhBZ9iM' https://api.example.net/v1/status
curl -fsS -H '"auth": "10WsjrHwTC6V/635JSEEcMCnTTkz1FddCXti3rE4==' https://api.example.net/v1/status
curl -fsS -H 'ALIBABA_CLOUD_ACCESS_KEY_SECRET=5BkFpSvW7RTL9s9wChNNa0AbkRI8A9' https://api.example.net/v1/status
curl -fsS -H 'DJANGO_SECRET_KEY=django-insecure-rTrq3dG92IzlmkYSyuT23VZ1aiLDgWDUWZsyEKWt' https://api.example.net/v1/status
docker login --username deploy --password 'sbp_d7eee5de8461f327da1b52fe384565023440e6df' registry.example.net # supabase_token
docker login --username deploy --password 'hvr.Y_da-XE22HU5SEuAo_YmTTMNaYQmVN' registry.example.net # upstream_auth_10
curl -fsS -H 'VONAGE_API_SECRET=l2c9WgofPPxr2NY4' https://api.example.net/v1/status
curl -fsS -H 'TRUENAS_API_KEY=4-1h2wyt2a0CswC4arHTLgzy4O5ODyx6ZEQkzJYshtAhqw6sWT7Z3DffLdsgpDtQAb' https://api.example.net/v1/status
export TYPEFORM_TOKEN='tfp_VWhmKnCJW7PXNeOiRd8H4VoshbXQUdh-LinfBXFVcRTO9zqIvHI4Jz6Id_P'
docker login --username deploy --password 'kzbh+fZ8kn6sg1rWXVnnuAVAs6ExjhL3nXduRQ//q2IASq4ujfR77zyT7KSnmgBuEb518JWoDKVY+ABaUU0PGQ==' registry.example.net # azure_batch_key
curl -fsS -H 'SECRET_KEY_BASE=0b212abc4ca6d2dff1135f87ef66003e6be664eac762599dbecab6008880c81ac5dca227f6588b3eeb43c4ddf76ce50c22accda081ec11ad831f01bf5ed2b10a' https://api.example.net/v1/status
curl -fsS -H 'ARTIFACTORY_TOKEN=eTqB70kBbT66edHnIDRkih7WwZ80guFpmPxWAXELsAKEAwD37m2boaIISFyLnliu' https://api.example.net/v1/status
curl -fsS -H '"private_key": "-----BEGIN PRIVATE KEY-----\nxeNZX2nm9QTbAZY0ixB2aO/lmqHtR4ZyXGm1l6fRcwIarVv9UkDKTTZmbn/KXb82\nCyUndTitezzE55CkOziACqAUF4BCn14yk9ovoH3I0r+li6I+6YBHTtTwkmHNicli\nwE7Cl/XwzhR6UUI82neHvln3IUhCgfo/ZWNs1ko0iYF7rQYbS7L0q4YdJ4bzsHKg\n56TavbBPGnIMEI6FjNeS21+9Wvt8ET53vbnukPS6BNOOfb/uoESR409Un30edOoZ\nSeQFGVNXBCHvk+97DCIgCdrq8CR1FzAIufp7PuqDKcH5Dg30gKGxNeqGxBw0gMEG\n7phZ8N3k8Cy53UYMp48aSnF7uTZJql7eFgbnzGs/KEurkpgiIvqtS08ZE2E2RyTc\nMVhw4QWGCbdZ9vQ2+B/JOST1QT3i8E5xixMB2CtiDiFSCg79R2DWuWMB/an7Y3e5\nLsaDjk+DPlsK1BaV3WLJk7LJVnUMBRBD\n-----END PRIVATE KEY-----\n' https://api.example.net/v1/status
export TWILIO_KEY='SK527e827111e3d18efcf3cbbe2fe2cfc3'
export HEROKU_API_KEY='HRKU-AAnoLZDcrPwljlN6ON5XPfdt1j85gsGNB-3n9kTl4KkdLvohgUPsJMCw614l'
docker login --username deploy --password 'EAABLW9lhJWdcEojWVAiaLBGdpI89fXS0pGrNfsYUNLfWT5Ugc6gRd6JKD2teBl01fDyW2E21GFRDJBj9HpNFG1y2A4qXXKRLKbZKeWcq64ivfmldA1uip0DEbSR' registry.example.net # facebook_token
docker login --username deploy --password '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' registry.example.net # openai_api_key_3
curl -fsS -H 'HUAWEICLOUD_SDK_SK=ALMkkhcXPNMyrspfFDsXUOkDGaQhHhzdLWkQ5KHn' https://api.example.net/v1/status
docker login --username deploy --password 'AQVNjc-uG-IrtIyGQa0aG_InfawWzODsF7KCqgFC' registry.example.net # credential_7
docker login --username deploy --password 'sk-ant-admin01-ZBgqVA8lmXHC9_4ovsh7FQiwyp706H_EgTcem8Mwzc1wqjVyikQb_O7K0NZgfqvatVkFCSQqCIZCYSSkTXv38pHupEo6EAA' registry.example.net # anthropic_api_key
export MAILGUN_API_KEY_2='key-a5ade0e80c2e827f500f4f89f58cda86'
docker login --username deploy --password 'sq0csp-1lGd71l4T-IBkFm5UbG2ARIdSyy9--CZKpAci4UULCp' registry.example.net # square_token
export AZURE_COSMOS_KEY='bXWtmqkgkCE2oJI3a07OUcgZl0+FDkq/XNLjzR8xNdJ4RmTFYN/1ges5vaVmb1Bd9XvuAvMnf7+KACDb7eKdfA=='
export CIRCLECI_TOKEN='CCIPAT_O7GSHfD09lfDWrqMwZFn33_c4649fb369a059cbe9a85f43f5ed2c6db77bdf52'
docker login --username deploy --password 'PMAK-8d2bf9245e148cf47e477234-8e64590a51d2869f55526cc8969f77ba87' registry.example.net # postman_api_key
export GITLAB_TOKEN_5='gloas-LEl5aCsBkGoq8MSCJMWBoLH7sFwtD5fN0Is3j6v06hhB_vtNY9yS80rzq32UI3IH'
curl -fsS -H 'TENCENTCLOUD_SECRET_KEY=PVJmxL2eBlyKFU1ph1drn5re1jA4KsRS' https://api.example.net/v1/status
export ACCESS_3='hf_Szjasxq1ldaRP45uibzv0OKsyMGYjpwZ1D'
docker login --username deploy --password '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' registry.example.net # tavily_api_key
curl -fsS -H 'SENDBIRD_API_TOKEN=10d75eef671e8d47d55818d4f0b79418db24bfcd' https://api.example.net/v1/status
export CRYPTO_PRIVATE_KEY_3='xprv9s21ZrQH143K2K4LLs45hKWTXL1gcHX3M5Qp9whPdjQfdCDSSHkP1ApyME8tBVv8F14ZpCYBwobSE9NhFEhfBXZDYgeNPHojfVpBqofmwGG'
export NEW_RELIC_KEY_2='NRAK-EACDUS4AIQ6AQ4IC6KUMLL6TLBO'
curl -fsS -H 'SNOWFLAKE_PASSWORD=fczjoXMLWJU1Vww9xEAgIh3O' https://api.example.net/v1/status
export DROPBOX_TOKEN='sl.3H_cLkaahx3PXtQXE-_j4Q5Nx2_nx6aarIOhCmWSTAxM_3EUzoCaRvXvyctpTUpTCtWtxQwKIM4o0mkTISIzg0C0yGxeXZU6Zmud544XW_GFRbpC_6tVWQDbxka3uJCOjnT1czupyjxS'
curl -fsS -H 'MANDRILL_API_KEY=md-pOL-9PeEWKMBYCvyeUQlkC' https://api.example.net/v1/status
docker login --username deploy --password 'bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tqhOBkZfV0aZ+lN5bQS9U5zHldaGuLDuHAfaE4muLkQPJAuTzcUCfJ7Byssjt9WucCzZyLZmmLh+XONaR+sswAkN1qBPXjk+aZjFzIbOzFmOu1R6AtVLJeIh42/g7lw8h1NFHuPwdnTLtwcgVgTPs5zRkTHMlfVkDn++PsjGoSQRapq1KH5eGvhQU8VFcK3arOTSWL56I93lRX7h6qwzOjAxBLNRMS/6WRUPwfEIH7mgAMCOXVFb3bQDy9HDsgvHBfJMmxd0L3CeswEM+7kJZRsRh85mXT/SYXhrGps4a08/69QAZ1maq8AdHfbqzPcesX3lZlF9jAJKz8xvnjgSNRcoyAVsx0/VRnnzKZd062rLytN9mltPnUOfq6VFOm6GzeSi9sEissJbvffqZ+nPUh9Z1gdWACyzkvv1dFGqecsXtIGMuTUhIng/Mv5T+DL3oySfJYIREKjSa8DUNm0ltZl//Ckd+Bvzbd5EJoVIIm920AkcexJCUTE8nSUIDJ/D/ZMlltJbP5XINQcDYfPnOBHQP8jmt8xmYE+tr/rXh9duXv6wGaQypGG+9ztli005vOtHiwuPk5ZpC8KwixgmdzqQb' registry.example.net # aws_bedrock_key
export DOPPLER_TOKEN='dp.pt.EwsNcs6sj7rnTXbJqKa1GoVfDOui11skCUIaNEr5MpM'
curl -fsS -H 'DD_APP_KEY=f2f89497f7915c50151fe83ab6f8b37148205167' https://api.example.net/v1/status
curl -fsS -H 'UPSTASH_REDIS_REST_TOKEN=AXWsi3sfmuzXE4wwuayoxgLpYk6DUZZcrI59fsOJNAFMYqBs6Er1RA82ACuAE6' https://api.example.net/v1/status
curl -fsS -H 'BINANCE_API_SECRET=h1FrQyNFuZwkeYIeZaHGmBCZyhBUWX3WgZIzZVBQ8XmRMnGSRp0022NTquUSKRMf' https://api.example.net/v1/status
docker login --username deploy --password 'ghs_wvgpqsamIZb2MuzYvRktCGSoLKctwh2cJ0yJ' registry.example.net # github_token_2
export TWITCH_STREAM_KEY='live_645292444_olQTvJn1nzIRJRSyQfBYqL176p1OJC'
curl -fsS -H 'SCW_SECRET_KEY=ed27fd5a-c934-4f5b-ad32-66279de5cc1b' https://api.example.net/v1/status
curl -fsS -H 'CLOUDSMITH_API_KEY=228def20a4da8275bbd0f9e7d7b39f39001601e0' https://api.example.net/v1/status
curl -fsS -H 'Authorization: ApiKey 5aGRLQ9GUHXCKaoV5e4kMbQfvf1ki3QJ0jp1Iqz12KO/p5eoCLs36h4XQvpu1EcRL7bsFrkS8yg3dIM1==' https://api.example.net/v1/status
docker login --username deploy --password 'xapp-1-K7JC83OATCQ-2840459441676-c8491c8a10ab5a053a610d356532c96ba1a88d226b4c7132c5adb3b0b7b56401' registry.example.net # client_auth_10
docker login --username deploy --password 're_rUQDPDrV_TdXTekU9jWp0au4e7qZ8CLpR' registry.example.net # resend_api_key
docker login --username deploy --password 'pat-na1-8671ec50-2c67-45e0-ab77-9686a1d7219f' registry.example.net # access_4
curl -fsS -H 'MESSAGEBIRD_API_KEY=d0VnyAQdVmaoz52usPpDAl1ck' https://api.example.net/v1/status
export ARTIFACTORY_KEY_2='cmVmdaZ3pqayjqkjm8BHRL58DScNjQw0BC0Ht6LsiEBWQr1Hvbqnajvm6h0iB8v9'
docker login --username deploy --password 'fw_HUlZlkHIdtyAxxbx7mL3wuCy' registry.example.net # fireworks_api_key
curl -fsS -H 'POSTMARK_SERVER_TOKEN=27fe6a8c-81cf-4468-ae0f-d61a45c89e00' https://api.example.net/v1/status
curl -fsS -H 'DSN=prod;UID=app;PWD=SHZWLrhLXqROdAhU' https://api.example.net/v1/status
curl -fsS -H 'SUMOLOGIC_ACCESS_KEY=Z6yQLTJV1qk3OKZlc4R27tYR7jbW7zd50yOMtDSHgF9NMEBSg5zHuXX3YCANqJCy' https://api.example.net/v1/status
export GITHUB_TOKEN_3='ghu_cK9EiI15ipyN2do9vBGo3TVqo0vIaa1gwVsU'
export SENDGRID_API_KEY='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'
curl -fsS -H 'SEGMENT_WRITE_KEY=9HfuzcJrOlgAJeywVgDpWWKZC4C6MR8y' https://api.example.net/v1/status
export AUTH_9='dapi194827467390ae1e428418e5a8dcafdf'
export PASSWORD='machine api.example.com login deploy password TctB0pdu3n6ivpNrCRJv'
export ELASTIC_API_KEY_2='essu_yau3SzizphhA6ZFWhq7E7oAk6D8VaBXXEe3ejzRF3sqWYbamK9amvFwlai50X8uuEDyRjFGH19RHypxO'
docker login --username deploy --password 'szdIP5f5aagNvpuUyQAJ2UQbPz2DnG9u2AzCaMON6vH=' registry.example.net # azure_redis_key
docker login --username deploy --password '2DV1/XkFYXspDRU1E8u9aJLB0hyIKvzfAAIoTOfajnh=' registry.example.net # azure_iot_key
curl -fsS -H 'GITHUB_CLIENT_SECRET=0e07af3424d86002bb3647a6f1738b600f6530a8' https://api.example.net/v1/status
docker login --username deploy --password 'EAAA3pVhrcuET26RsN08zgTDGDPJSrkcnJY_DQTpkJMAbJZVEdFBqkSZJVPi39FQ' registry.example.net # square_token_2
export CREDENTIAL_10='CCIPRJ_Rlx2QW2h59KaSahsy5SeUZ_25d7e3392f055dd5bcdde855147e1fd5cf655ac0'
curl -fsS -H 'MAILJET_SECRET_KEY=3b25afa76a33ce2b4e6836dada45d3e5' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # github_token_4
docker login --username deploy --password 'ATBBeSqflePNBVDeklvsKLvPtk0qCxlyjPdHB520D479' registry.example.net # bitbucket_token
export ANTHROPIC_API_KEY_2='sk-ant-api03-WcQGbicIbv-C6XztyXGqlJyBParVLiF5c8ysDmCh1cT3w-b0K-NhrJJs9rQHT8929nksvHvefBfLwGP2rMCCea9q4g7eXAA'
export AUTH_10='dor_v1_f8ab1d2aef56d789cc43479a631e45bd1e57748d41dd7238355fe9bceeb7d8d9'
docker login --username deploy --password 'gldt-MslhFkjffj0aputroPx6' registry.example.net # gitlab_token_6
docker login --username deploy --password 'age1gkqs300lr46nap3vuwsqf399fwflhq2cskeqke0up9k2wshf32lq4uvxvs' registry.example.net # credential_11
docker login --username deploy --password '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' registry.example.net # sentry_token_2
