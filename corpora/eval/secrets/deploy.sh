#!/usr/bin/env bash
set -euo pipefail

export MAXMIND_KEY='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'
docker login --username deploy --password 'sl.9BwbiSe_YiiZqfqB6yHsT8FU9VfiMSLYqViRwxgHtgDL9VgfmL6xXJaAzK5cgLNnai4nyLzGNZ0pMVO47KmH8HoC5M3wX-OnREejALCH7WA8Nkn6W-r4UEEs2yVkmApBkUbw-RULPwoD' registry.example.net # dropbox_token
export AZURE_IOT_KEY='uu9FfeQFOGhZ9WnOv3AkTPRfJ/G0ux5jTAIoTO2R/yy='
export UPSTREAM_AUTH='wUtPfznnu+aYrwNW8wK13xJhAbDAOzOYVAZEGIUjaKi='
docker login --username deploy --password 'live_536993228_HxmjuHIuO8cxUuLVwaerQbxnSxqDN2' registry.example.net # twitch_stream_key
curl -fsS -H 'CODECOV_TOKEN=e6c43031-ee25-4e9d-af9c-1364934f012f' https://api.example.net/v1/status
export CLIENT_AUTH='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'
export VAULT_TOKEN='hvr.Ue_T3qRv3bCLxTE-LPPTKHBf9_4hTg'
docker login --username deploy --password 'EZAKP73EBThOM2lDWVpZI9gDuOAQfClHcvSjX763sX6o8fUayK0TGhRA6L' registry.example.net # easypost_key
curl -fsS -H 'FRESHDESK_API_KEY=axXe8izYXcUgmUHvs93E' https://api.example.net/v1/status
docker login --username deploy --password 'doo_v1_9ca546eb526da93f27583d1db751c2474e0f77447cfd7d969bee8e376b66e269' registry.example.net # digitalocean_token
docker login --username deploy --password 'glrt-VtI4k_4CAFd1nO_WVtj6' registry.example.net # gitlab_token
export SLACK_TOKEN='xapp-1-ZR1GPX6M6U1-5985677608516-b4a102ec950948184984371bd5ad1fccceba3cb96274d1637d26583aeef6635a'
docker login --username deploy --password 'sq0csp-iYaQ7fqsNCwc2UbYYtBGZvlKPuotyYCSulUmT1vB2aN' registry.example.net # square_token
curl -fsS -H 'ASANA_TOKEN=2/4373537994637615/1162789051154722:169e12037f1ffef941f2ac7f0bdd03fe' https://api.example.net/v1/status
export YANDEX_TOKEN='y0_AgAAAAn6nuwZjZ_CMJTmX654xqOkQH-zk6d-6JVw4S3mnJFRZG_0gU93'
docker login --username deploy --password 'bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tbN3y3eEFndgqmjpCDjqS2qGqTW2hZNaSjrPHUCMuDr08zM+SJFW3k894QLF7taGaO9oOhRI3J8KnCKzvbd4qKGaPDXv6owinTvFqHIsnHPU3yFGCTfb00m+/l80E+djbDiSSBgtzxPtT1QUlyE8/Muad7rR+tKdUh6KHnQJoy5vNqZV7XUylaQPWlUPG8Xw2T3uv7xNF9utnX1dod6YrdfgXMTaZhTS8kTaA2PwQaB/fofUn3QTQH7TjLmrLTgjI4ptS009Ibb+PHLy9k/V5AJyLWj+NCYdiSJP64Eqh3IWSdhy9qUA037QsB15Hxsc/DvnxU38eS/h8BA2aYGSxDBFV+egPYhLipoHBrAg3qiR5FZYCczBBGWJP8pVmsWMckflZz24/SgdK33X0ufDmYQ2bo7tZFg+n37+UFJ9Tc1+NlyEe4MNWB1YvAhfmv6IfRSddAizmXXnGX5uD4HYfj6VOuBGUWNa2FeX+LFa+PcYtHXXwE9hs0VOr+o8MHwSRqixR8PBuovdBUwPPKfDrQG9Q0kioweTWjRdMwGu/AWYCZ5A7lP3ekR0tAKdgFwPBTuoz4io1Rgn+8ZEHRiTKJEYS' registry.example.net # aws_bedrock_key
docker login --username deploy --password 'xoxb-157823350881-5884022935775-xpM9C7vAD4JSmk2RdMw0jlxk' registry.example.net # upstream_auth_2
docker login --username deploy --password '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' registry.example.net # client_auth_2
docker login --username deploy --password 'sk-svcacct-8ZXUAP9ToC1XS4RfwE0JMRvoK7f2ComlLRLA2JEcFrGc1UiSuUPYJ8keZeU3UGnXzvHZ1hta1nkysrMhxxt4sPY4Oo2i-l0s-PGsrOw454QBPnnPoEwLtNssS9eIEuVFtWgLkkmn_olPfhZS4rPPCSUghejP' registry.example.net # openai_api_key
docker login --username deploy --password 'hf_rKDnmv76WuQnQHtlvIUaoyjHp3gjagcHe7' registry.example.net # huggingface_token
docker login --username deploy --password 'c33df7ee84128e2c6535013888de60e3a523NRAL' registry.example.net # new_relic_key
export VAULT_TOKEN_2='hvb.PqKY8z_pYjLmct51_NiFb8dbEabYMQ7M6GD1Lo5UG3DBeZCKrTeOC8Va2Tw1mlze1ccrUg0lCQX-s0sHyN9aWA2MTy8UZwRIDM676sXSnoKJSNn2k081ZZHahfnMD9YxbzRyAzY0Ceb5'
export DOCKER_TOKEN='dckr_oat_R7Xo0TbDGicoT-Rhs5oVCi37ItbLLeZh'
curl -fsS -H 'jdbc:sqlserver://db.internal:1433;databaseName=app;user=app;password=dtezHqRjIxwh88KbVMaz' https://api.example.net/v1/status
export AXIOM_TOKEN='xaat-37d8e925-0ad5-489f-a531-3306d38a6914'
curl -fsS -H 'DISCORD_BOT_TOKEN=MRo5jK6pkUFVybiJZWNScCUnP6.YS46MR.32DZiu8y1JieyvG89tTU3Oirgm6Ddb-Q2vbF4a' https://api.example.net/v1/status
curl -fsS -H 'TRUENAS_API_KEY=2-rse65Jhzc9MvsyfagjiUvVwtW1TEtwkb5k152uPI3dt5X0e70LMzgZUTCsnJkcGA' https://api.example.net/v1/status
curl -fsS -H 'APP_KEY=base64:7oDPcV6PzFQz704GxXSBJ1S/S+lHwa4kZjBP/ZSZEtp=' https://api.example.net/v1/status
curl -fsS -H 'SEGMENT_WRITE_KEY=RMYKvwc3S7JDQahknKyuOD6urlnXCfYh' https://api.example.net/v1/status
docker login --username deploy --password 'pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogIjg1ZTAxYTc3LTZlNmUtNDI1Ny1hYjVkLTliMGZhOGViYzU2ZiJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiCo6ovOoDI72W-F1qVVHL7qjhBoR20R8ZhL-1tvQWZ7tA' registry.example.net # pypi_token
export BRAINTREE_TOKEN='access_token$production$fs875gp438ovuckb$7adf2bbe55f22bd6b14f07253d6fd933'
curl -fsS -H 'AZURE_DEVOPS_PAT=tini24emlxz5ghf4o4d3ifxcu6o5v7d3sbkjlt6thyk37jtrqmu6' https://api.example.net/v1/status
export GITLAB_TOKEN_2='glrt-t1_bzpheDZxCnU6M3FlazE13wjIEMFtdusWYjvJ-bV_EA.01.160lpvl8m'
curl -fsS -H 'ENCRYPTION_KEY=f29e3903cde696c4b597191311caea5a8c2115183c44772244e15455834dd1b3' https://api.example.net/v1/status
curl -fsS -H 'Unseal Key 1: rnGt8pxsb7Y5RAfGlRlpYmOfyF0kQ6sZ46AELuCwC2ZN' https://api.example.net/v1/status
export PASSWORD='sshpass -p J6mvfD1oM3RMbFlE'
curl -fsS -H 'AZURE_OPENAI_API_KEY=75a4df62676bdc495ad9183fdc333148' https://api.example.net/v1/status
docker login --username deploy --password 'sk-admin-y1MT9PaOLlXCCYpZoFnMfmUzs-9egxKIj6q7yDeQ2OlbL_ve1cyXG7RuPgsxQuee8jGXfbcJ7OGVl12AAvmKetlrk029rL2te48XQlhppkpWp3ghqtP0KOBZoNjwLn2HR9ulbZiDX2CtN0Xp2zm7zfhGUZBQ' registry.example.net # openai_api_key_2
docker login --username deploy --password 'key-18aed2665e7cf31df9b055aaf0e7a2b6' registry.example.net # mailgun_api_key
export GRAFANA_TOKEN='glc_lduROZoUk5afQkOaNu4GDkDDV8sxt/BvDKFVQbk7CwAXC52d1mDyePydjzTn'
docker login --username deploy --password 'AAAAglD-OfW:APA91bAC-O6ArqAEPPWW4ITNRaYwB9Y1Bux1K4PuakKNzKW2lNR_Vs7ITRKroghJFPeoaKhh5NdLfAtlzuu0tgz_HGaa6OEJB0dQH2Dq5yq8sGETLcP4HrkyK8bXA8pQ2XsjWNfnDQeQ' registry.example.net # fcm_server_key
docker login --username deploy --password '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' registry.example.net # nvidia_api_key
curl -fsS -H 'OSSRH_TOKEN=j34rZhZCCPhxUfyNk1tt/kvRx3A+6WEizEdczj0xPSfs' https://api.example.net/v1/status
docker login --username deploy --password 'glpat-X4eE5IwjJxRw7T9LV4mq' registry.example.net # gitlab_token_3
curl -fsS -H 'LOGZIO_TOKEN=snyreuagrxppyvzgNVRSJUIUOMKTFOHW' https://api.example.net/v1/status
export HARNESS_TOKEN='pat.shrfwwPyNmVhdEAkhJIkQO.H2IpXz2kpDX1eTxyuCtNO4qw.5X6HdwGU93AJqAvzmYnd'
export CLIENT_AUTH_3='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'
docker login --username deploy --password 'PMAK-16eb5005ea97454f0c377a2c-0c6bf8c2bc359e616018d2191672bc5bcb' registry.example.net # postman_api_key
curl -fsS -H 'ARTIFACTORY_TOKEN=YDHqm7UplJyKcwooKAUE7XE2C7saW5UmsmDVpZSlOiD6c5ygZFEUGD0Q5lFiVnrj' https://api.example.net/v1/status
export YANDEX_API_KEY='AQVNPkGZnicTyNkQUqKfJCGdypReCQKLWMk77h_S'
curl -fsS -H 'kind: Secret
type: Opaque
data:
  password: N6PE5gvk3XRWYD/jpYW+bx==' https://api.example.net/v1/status
curl -fsS -H 'TWITCH_OAUTH_TOKEN=87d8krjj8ihw3h18u86jrugkt4guwj' https://api.example.net/v1/status
curl -fsS -H '_gitlab_session=4696ff58d4bb73b09a73a3000c261e4b' https://api.example.net/v1/status
docker login --username deploy --password 'AKIDxvmuvq3E9BUvZ1K4kUV0GJsA8WBztgWL' registry.example.net # credential_2
curl -fsS -H 'VONAGE_API_SECRET=oNZZaTMF4PM8h2Jm' https://api.example.net/v1/status
export SLACK_TOKEN_2='xoxp-92057893378-81931451810-3119828584324-3ab50f559f88418b113d32beb1f27436'
export AUTH_3='age1vrwahd3wz2g6n29r25fa87dfz8y596h3w69zpphf4stnt8hzyx5qj5pcmk'
export FACEBOOK_TOKEN='EAABwcGseKa15pfSCJpw6vh2LokB9Qn2r6Q88xnbS9IYkKXdbUsaoqZ29Wjwflci36buTdPBCdjgl5uMCh9QyBoY9aMAQH3kQ5G9USkk5BLWjvxw2VDERjUujyVt'
curl -fsS -H 'OCI_AUTH_TOKEN=AsvDInMEVGIpth1frwSU' https://api.example.net/v1/status
export REPLICATE_API_TOKEN='r8_XTa32Ux1SpWnZWGagGEIYspvaTl7LNxGT2ZaO'
curl -fsS -H 'Authorization: Bearer 30XbXwqm0eaLJRRUC2rN6blx4wXLnALBr-WBi-HY' https://api.example.net/v1/status
curl -fsS -H 'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=rtiFmbpYKDERZiFSzoGrmbMjP9TyJGpGhSh8He3f9Cr=' https://api.example.net/v1/status
export AZURE_STORAGE_KEY='J81eYzPBAqCLVCSoYyhIFcDIusImP82HdLuIgbseyXqrYhTwyqZi3ETRx9RJx+QQ8PzHH8+JKFf1+ASt7By3jw=='
docker login --username deploy --password 'I4begRHHSPP9xgLKEun/bRg1Yy4rGDgi9CsfTirV4ZG9PqZuf3a/me7omtsiOE21BFJYbHN23xTsACDbGYH7RQ==' registry.example.net # azure_cosmos_key
curl -fsS -H 'KRAKEN_PRIVATE_KEY=1u4f5XbRvkJVgp6oUbN4DabpA3jwk+j6vTqB5Gq8/XOW1blQQlYJ29ubpkiG2/aaDR3kWm/qbg3aJLD2qGZxdt==' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # openrouter_api_key
docker login --username deploy --password 'dor_v1_31649bd2b41ff21ee4393922ae24545d00e3073a3311b95d89e2e5b7973e1eba' registry.example.net # credential_3
docker login --username deploy --password 'sdk-88cf48af-0c70-4f9a-a03f-cba62e6bac23' registry.example.net # launchdarkly_key
curl -fsS -H 'SCW_SECRET_KEY=aa8e37fa-2198-4147-af6e-ad3ac80a1bc8' https://api.example.net/v1/status
curl -fsS -H 'Authorization: Basic pipoaoyW4dHK13uwnqMyfAdAjovp5ABR' https://api.example.net/v1/status
export BREVO_KEY='xsmtpsib-fbb90883f61c8ae8113f63524e1bb75550da47792ca12dc07c8c6db09844ca9b-j505W6OMOVqDnLrH'
docker login --username deploy --password 'ghu_7vycV0KgjLGjqIMw7rAH8smu2U39AI1lRey6' registry.example.net # github_token
docker login --username deploy --password 'sk-ant-api03-xVnFpxPDgOMlRRR0QkjzgsmFUMCo_sRTeyg_KxYku184JIg-_9Dusj9dvdNw0xTBFG28GYMa2iebvWxKTvIoiktsIGaKvAA' registry.example.net # anthropic_api_key
curl -fsS -H 'CLOUDSMITH_API_KEY=0a4c5db590f022822ea147bea03f5d5ec148c573' https://api.example.net/v1/status
export OPENSHIFT_TOKEN='sha256~2KXOtZ-6GN-lCMb9cw-1pX0xqLJ5OEBxDvPsSidtjWc'
export GITHUB_TOKEN_2='ghs_kVgoitM8iKzNBzDFioWb3pNv5J1PnK4U3oFu'
export CREDENTIAL_4='sbp_b3aa74ae8affa72d3a0d5d2026e1dfa6fc2707ee'
curl -fsS -H 'GITTER_TOKEN=gdK_ZIaieDYK8TEK6FBDuFTSr4fYuMprk9wm-cee' https://api.example.net/v1/status
export GITHUB_TOKEN_3='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'
curl -fsS -H 'ZENDESK_API_TOKEN=n8YEqCBJu6z4znorooNBj8ehvihywYyPIGOhjj1p' https://api.example.net/v1/status
curl -fsS -H 'arn:aws:iam::483232256814' https://api.example.net/v1/status
docker login --username deploy --password 'xoxs-5718736057-7728610827-9635846455-a6d92356bccf11719e61176b4e05b76c' registry.example.net # slack_token_3
export TYPEFORM_TOKEN='tfp_coso00DuZKkw3nq_XrLMxUy7AyQVXKSJwc3MvTh61lW0mXR66yxZlr16cu4'
curl -fsS -H 'WANDB_API_KEY=761fd7fff064f38f46124e24d75be67db634cc6e' https://api.example.net/v1/status
export ANTHROPIC_API_KEY_2='sk-ant-admin01-5Yk0k-wp1z-JdIB6atUL38cqZ38aSsbWbjRKfmicYRWezr6ss80bZr8d-AUbeVhOk0Bt9QpYUOT-U_o5QkbdiNCRhzLcsAA'
curl -fsS -H 'SUMOLOGIC_ACCESS_KEY=7WQmHySKulbJ0KxSGABtbwLV3PASEAlccCSWNxJjK7xZ04hII6UjOihyOtxpEU64' https://api.example.net/v1/status
curl -fsS -H 'ALIBABA_CLOUD_ACCESS_KEY_SECRET=bgBzJ9CMdl8URlgZMFznnUS8gE62j2' https://api.example.net/v1/status
docker login --username deploy --password 'duffel_live_Za5939fRviYGbMr4l_lbndPZHgcYYizmOo6im__x80i' registry.example.net # upstream_auth_3
docker login --username deploy --password 'xoxe.xoxp-1-fzxFV1rvcOpD7ZKqiNAaLf6R8dQ0VhY8T75PncfrkD4uLjgWxJXXPB8eKPNKohLUogjVxBlkXBO1Ymp84eDj5Ditsz3mwHvhBCtvvxWy5Vexizm1qyxqddZUOJqRa9VHfLv4lkBBDT34BB9vPOl42UVI8JdMhWDf' registry.example.net # slack_token_4
curl -fsS -H 'MAILJET_SECRET_KEY=6ba08bb203192f843ae159566cd93505' https://api.example.net/v1/status
export GITLAB_TOKEN_4='glffct-Nprdat_zDGbrQcatpwGD'
docker login --username deploy --password 'aio_ALvxcLLjz5qxREdFOIwgW5wKIE5G' registry.example.net # adafruit_io_key
docker login --username deploy --password 'dop_v1_d0d0d10ad7caf00f5b3c7b16e31130883d751ef73629734a9e239ef1560848e5' registry.example.net # digitalocean_token_2
export CREDENTIAL_5='shippo_live_85a1d7a4c1cf5a3cbd90f62132a2f6e000bbf6bd'
curl -fsS -H 'IBM_CLOUD_API_KEY=QFxkvqv1xRPBVv9HE0Z8KFbiIL5Ib_m13a_Ug6xNL0jP' https://api.example.net/v1/status
curl -fsS -H 'ELEVENLABS_API_KEY=sk_2ee9ef04b246a23128d7947377786ca9ff6b320933e679b4' https://api.example.net/v1/status
docker login --username deploy --password 'CCIPAT_NUJH39dCnpldN64uXfrmBO_77e44c716aa79cdf03bcea1b68973926f5b5794c' registry.example.net # circleci_token
docker login --username deploy --password 'sgp_58c51ec084c02e29_7d31f61f1ee9f1f69b9b74fc607fa3afb3dba690' registry.example.net # auth_5
docker login --username deploy --password 'KygqK+bNJvGdjPW7ZTadCzIO5gVyNxJa7OB0WbIIJNYoZB1uoxhYAg4YcaZqMm35bLxPO4ydTSur+ABaRIAsWw==' registry.example.net # azure_batch_key
export CREDENTIAL_6='glptt-454a9efab8b2a793e0b49b70d10e7d6e4b2fda16'
curl -fsS -H 'WIF_KEY=KLTwze8bELkmNnF8RE6qajEycQQqFh2hhUEvjh368JbLSUHSu1Ev' https://api.example.net/v1/status
export AZURE_CLIENT_SECRET='bwu8Q~rLfw8F5UX3fLhY89IQFGoDLZqqmf8VP5GE'
curl -fsS -H 'COINBASE_API_SECRET=7tShailOEoKPVoKuEd0oJVwLbrX361lEI1zjl09e7br-L-wqaJ2SKbj_P549YrxY' https://api.example.net/v1/status
export ALIBABA_ACCESS_KEY='LTAIxYVXzEmAfgsTC1K6KKFe'
docker login --username deploy --password 'Edec8nsLZ7VItUlN3Q3lCd2IoteoEVoqb+ARmNnG8L5=' registry.example.net # azure_relay_key
export FIGMA_TOKEN='figd_Jx1rgaJNOLW11o6u69iUavbBBG91KlZ_1WDNWZ4j'
export CLIENT_AUTH_4='re_Lta5kNXg_zUgLT0rOAQ3fTT0YKOuA7eb8'
curl -fsS -H 'SENDBIRD_API_TOKEN=3877222e40572dacb66aec16cb33f7068da39f32' https://api.example.net/v1/status
export ACCESS_2='dapi0a250beb699aba2096605925bef860e0'
curl -fsS -H 'MAILGUN_SIGNING_KEY=55c0fe4d0bdb172e4766c659688b2036-8266f6dd-f379894c' https://api.example.net/v1/status
curl -fsS -H 'INFLUXDB_TOKEN=FtWr9hEkWkCRG3oQ5kcT3EnxVeS9h_PvlUDVjg03HgEXXwnpWT8IYQU-Jwx1fxAeWxdfBhc0I9XOdrUww9camT==' https://api.example.net/v1/status
export PULUMI_TOKEN='pul-9a11f67ea51205e2d4a73d7e01739daf8dea1c51'
export OPENAI_API_KEY_3='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'
docker login --username deploy --password 'essu_mQA1l2Rfn+zBxZAnQaqU1YJ9617r7krPsMC9nriIYxQKkZ5Sl5DXt0sBAqRT53dHfrHzSYOifMBwdclR' registry.example.net # elastic_api_key
docker login --username deploy --password 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTZrYWl6c2pva2d0NSIsImlhdCI6MTczNTM0NzU2MX0.38IUV8XTIdEGR4PLj13OLc_odM6ltu736b1y_YPf-N8' registry.example.net # auth_6
docker login --username deploy --password 'EAAA4UoMuymeYCbsoL391dkV-GzJimbDtPIZU-EbZaLew5U0z2e6gnpZ8AhHIf5L' registry.example.net # square_token_2
curl -fsS -H 'SNOWFLAKE_PASSWORD=sb09SaD6JZII05PhvOkSce4l' https://api.example.net/v1/status
curl -fsS -H 'client-key-data: LS0tLS1CRUdJTiX85FB/jr8HyGv5NAHRH6XqEP8IU17yipGT23QqN7amXBtxbUPdhpUsCBf5zx0M8HhYj9+Z14LTnjy1jnlVjwphMR8koX/6IlFdj2aDAR3iNIgKcptng17Gc2AJn/MbeUBBYTdfA8778f7PBfv8KDeWx5n05k6tX1DvVeXqYpQiMEdIo0LdBH3tSiJYiMG6vIo5SDbHUG0A3yyTZPLdvwlF770baBfzrYR0zpMRZKFJ8YHcqtO4Z+zS+VyqrTT71OlQ+2fM5nq/yqymfFcnkVYCJSVV3IZrnRnu3tcPCi/nOaHu1FNJYmEA8ARtv5E4MWO5jUjuIKM/jNzgs45oE/J4L5wkdSbysKRguX30ALSfmoBQK17wssSvmSHJF7H7bYeCmder0EJXQ0C6ds' https://api.example.net/v1/status
docker login --username deploy --password 'NRII-iMw1K7PL9OlD6mEaNT_CW8iRBYeoDkrK' registry.example.net # auth_7
export ARTIFACTORY_KEY='cmVmdv3v1x0uFpwaIo1mrLj0V3qjYtRu6nacrEkIB4MYTDC0bitnXNdbGMlymlag'
export CRYPTO_PRIVATE_KEY_2='xprv9s21ZrQH143K8ogfBxGh2joqSh9W8DDYD8mQ2gvV36L51dCVXRfrPvpUeHqwrf5U8Ty42q6EUfci1Pkc7DxmpbxSedC5C516QzUyuGE1RMw'
docker login --username deploy --password '$krb5asrep$23$svc_bw834j@CORP.LOCAL:b00e6d3a39820c1b58ad70ff78dc7136$a3dbed7401df5c600bfc6d82668a35834a0954403f49902ce4e35e3383754df23dcf6286ae80b007de5cac6a725f91812a4fc1c68084539186c7e66aef8b39d485e0612ce58b80e1b1a38725adcbae821874380f958966f4128c775b7aa3644f1e9318024ecfec1159eea695e980e6ef3d63b9830befe1bc' registry.example.net # credential_7
curl -fsS -H 'ALGOLIA_ADMIN_KEY=6e95997e694aa727052dc4d07f413b13' https://api.example.net/v1/status
docker login --username deploy --password 'pnu_El3mlsJisA19HJoErV5m62KQlajPjSKnNmBl' registry.example.net # prefect_api_key
export AWS_MWS_KEY='amzn.mws.bb289ca5-0080-4e80-ae1e-560f4c487a5f'
export TERRAFORM_TOKEN='HF7H8xGBknEfRX.atlasv1.rUFlE5FGM7BFgjDqOK9_l1W-d-EhAiSechk5PMzDZEiE4JMOieMT_1O7FYHvm_iBFyt'
docker login --username deploy --password 'AKCpASecaobMZehs1P9zyNHCKLkmkTnV6EONgeCkRuWw48ZANlG9ZW0NOeEHDhsmrwU3rHwus' registry.example.net # artifactory_key_2
curl -fsS -H 'ETH_PRIVATE_KEY=0x5efbbba63406140ff9735701a8011fc10949831c98c3eb76c74d9a2393a37ab7' https://api.example.net/v1/status
docker login --username deploy --password 'HRKU-AADMh0Q1hpMDGSLR9he3UcFa8Y2y0zDS0bW5AdX0CDMHhe11ZqeEzi1Uhrhb' registry.example.net # upstream_auth_5
curl -fsS -H 'Authorization: Splunk 6f6aa163-6f96-411a-ade6-b8009334fc18' https://api.example.net/v1/status
curl -fsS -H 'Authorization: ApiKey 2wAOlfOXLGRE9dGOoQylFesRbJ9KL2FmsURfo02E/MBKAo4Qa8HG54iUKdh/LVlJh+Wf6PTw2BE7kJQK==' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # sentry_token
curl -fsS -H 'PLAID_SECRET=ca587e53c6409cd00212316a42c523' https://api.example.net/v1/status
curl -fsS -H 'GITHUB_CLIENT_SECRET=58ec8c0621c581a1668e79c2e0b7560f7f3bd219' https://api.example.net/v1/status
docker login --username deploy --password 'CCIPRJ_mWomYjuiuL8mkaEftq6pva_53a74cfe9212b0629b1120c5974393210bd3ab19' registry.example.net # circleci_token_2
curl -fsS -H 'VAULT_TOKEN=s.51Coj18UJlMr1TbvuNF5jzL0' https://api.example.net/v1/status
export NEW_RELIC_KEY_2='NRAK-X6EZWX5AHPJ5YMXGF55XXU9SO2Y'
curl -fsS -H 'SESSION_SECRET=Zrb3MN3Ne6qGAu7bIaXXNC5HLHj2KRm3' https://api.example.net/v1/status
curl -fsS -H 'RAILS_MASTER_KEY=6012668f73f363bd5c014b4917b393a6' https://api.example.net/v1/status
docker login --username deploy --password '-----BEGIN RSA PRIVATE KEY-----
jvT1hUHfbEfkM3TFXUHYjx2FAOPhd5XowcIKxLybGNewWd5bx0y2UEnVadx1tyuh
EwMx0t5SwP2qm1C5AtR1UDImS9ZBweIvvJS63rWQBZPhEauGz6m5ky1mWwVu8+++
BU0ukl8g39ZvRIUIE/wahKydyOZCcvrzAFcnWA5ox9ngsNB0m4Yqhus1jnV9TH78
6mknviRYoplNZpPQfoh5f03Ad/nLYgiSMMeiXvkYu1VOYWlQbmQ4tm6Fo3tdVE0W
ndzuDpQSRA8YsL81laRjy1LUYNHZMsDbdMY9OHRINPqtaaz1B9pMpI4al1orF2iu
7p++nBTKULowmJ3q+kpk6PDvxLOW2gVjEWt9v+aGJtMVrvP+dgvBJO5KDY9eXsIe
+t/j3u5zEuR3xplGNmD3jE02r9dN/n9tR69mpmloTDS1QEQE1pkPuhvV6x8WjAny
rFWlBIHZx7TVq7mxi/hRv6TPL31LMV/GBITwW07KjdLx0s5IzzF37l6mdk5C/F7G
TJ7n7SPLVU2QlTH2Ev4tHNrV1snrVMPSftSMxZ+55RsgUvJCzKF+NHMd08GGu00Y
4HW0fcM1L17mQnxhJpN28Xd7fhRMPT4SQTt6byknRY0ttHZS6XisZv9e5GPj8GiP
xuKtxVbi4oJpRk/tBXLkV003aF5VIHaBrwJz0cO3YjcO+Av2TgZ34KmBScmT1cBV
WJxWPX5Oz5OvgTIDIYOLbsuC2PAE/k8L9d+AlId6QrfuGqcYDeIuN/AmZClNo2mm
3p8kD6ZUY+A54icQovm1O/CKfswxpXUn
-----END RSA PRIVATE KEY-----' registry.example.net # private_key
curl -fsS -H '"private_key": "-----BEGIN PRIVATE KEY-----\nskYPFLINPfFj715WjfBUMNgmuPNWFUZ3Y6mhHzO9nIIvuneaD5GzVWrSKb3e4rK/\nz8xJlMgNUehdSIEvlwaPmomAkwsCpDiIbd3P0jxx5KvvjAXVH2dOs6W+zX6pb+8Q\n6eOMh6Kc1jfgQ2XFGI1h6JjuPXTDQn8c9aAgo6uGcI8DQkHvtwO4EBu2m9wljcDr\nv6J++hCRf/bmPTWEdhfgrD8GNjmxzST7TSOWF00nMDMe7qsUOaSTRnkK4fwTjArm\nGqzK1Lz1W7qunH+iRHIgHBWNJdaKyh5e5rE2uFJfKEG8ssCRJC8g7Yex1LMRDWtY\nzyFV6ePTkX5lHeoNzQrtmSUykIiLupqy9HLTopGKB16Csi9HhbUomng5Vzs8o5b3\n3/UDB4V89JsecyED+HIzSmCxeDtg4BBpwfT5L+cRCT0BW4JAbZSnMFwVO5ZVlaib\nd4WOr+YBUD/DbFwrAuizWFfuLA1kPKS2\n-----END PRIVATE KEY-----\n' https://api.example.net/v1/status
curl -fsS -H 'https://hooks.slack.com/services/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' https://api.example.net/v1/status
curl -fsS -H 'SECRET_KEY_BASE=9ec376fb1f23fb646cffb5e83e51d5627d577d5866e8e643c3fb55e56bd8496fb71a38e9e5d5a9f5d2646eb46f7910100427d739e48a80852961d1ce8bd60939' https://api.example.net/v1/status
curl -fsS -H 'POSTMARK_SERVER_TOKEN=6fbf0562-2f2b-4826-a456-4f01509a7ff0' https://api.example.net/v1/status
export AUTH_8='A3fjHgmE23ZpdwQ9DyUSg3tfrNgoAG7ZJ37dn3VkNmaKRnDGl2lVJQQJ9D6IjXJIqQwx74WCu0W5ACxNJ883'
curl -fsS -H 'JENKINS_API_TOKEN=112c9f8a8b2399fc0a22d83ed4098ded70' https://api.example.net/v1/status
export CREDENTIAL_8='SK79cf4abbdac3456c124698f4318c7694'
export KERBEROS_HASH='$krb5tgs$23$*svc_sr7g3l$CORP.LOCAL$MSSQLSvc/db49.corp.local:1433*$04df69dd4c95793b2e917c503915cc44$a7800adecd8b50e2b507614da926680fa3fdb4f12e323fcf42cb92212444adb4f0627de41ec42d1ae96b5013e5060393ecb6c47588f4df3ed45d5197d532c0e15a13d1f4f50832251190e0e083802589eceab8d4612e67301202961ea60af9790f28dfd2a591c8fe0e66cd14e2d8529939f9313b80a16717'
curl -fsS -H 'HUAWEICLOUD_SDK_SK=HwZfJUa1H4OFiTyvkipJhwUrsTNOyQnJWXgYISVK' https://api.example.net/v1/status
curl -fsS -H 'MISTRAL_API_KEY=kTXrj7zDIC8IkqfbesEWd0pb0Ixe7KDJ' https://api.example.net/v1/status
curl -fsS -H 'DEEPSEEK_API_KEY=sk-0da5b92a6cdd44221f348ca18271b1ee' https://api.example.net/v1/status
docker login --username deploy --password 'pk_29619518_XYVAXPDEL81D5CNJXDJ8T3F9X9Y6GEU8' registry.example.net # clickup_token
curl -fsS -H 'MIXPANEL_API_SECRET=e1945a92c05ebe9c8f1a142bbeab03ee' https://api.example.net/v1/status
curl -fsS -H 'Server=tcp:db.example.net,1433;Initial Catalog=app;User ID=app;Password=XMXwVlrMTCH3MZkHY1dC' https://api.example.net/v1/status
curl -fsS -H 'DD_APP_KEY=0a5ddd262bc54bc8fbd5005ab9dab63b3bc76195' https://api.example.net/v1/status
curl -fsS -H 'GITEA_TOKEN=3eb3464767ee1b480ceaf70ce12424904c1203a7' https://api.example.net/v1/status
curl -fsS -H 'SOLANA_PRIVATE_KEY=PjmLziFEuSV7ZFWVJbRNXphzqc4WmmDheqCSc7TtSWK2rmCpbWVcRkzDWR3bTzZGSb3JouPRijxNWc6zeUSiAwB' https://api.example.net/v1/status
docker login --username deploy --password 'fw_7UOIcRJHICjeIFddhyKddFRr' registry.example.net # fireworks_api_key
curl -fsS -H 'TWILIO_AUTH_TOKEN=e32f5b408b51764fc9d05d8a09e7df04' https://api.example.net/v1/status
curl -fsS -H 'DEEPGRAM_API_KEY=c2cffa6ab9f22ee70dc1217d6b11d156f13efc6c' https://api.example.net/v1/status
docker login --username deploy --password 'pat-na1-943f027f-cb79-42aa-ab26-b74e791972ff' registry.example.net # hubspot_token
curl -fsS -H 'ROLLBAR_ACCESS_TOKEN=ff047340aa04b0db88b177dd200c20d3' https://api.example.net/v1/status
curl -fsS -H 'ETSY_API_KEY=3p1gsmyv2gymw35n5nv85i4y' https://api.example.net/v1/status
docker login --username deploy --password 'xai-V3idWTaomX7CWmA8n33I3yih31Mvt2HP2xLbt0tnEGtQGXFEhug4el1QG3sY9lWKQCUCFNsq7iRBXcxx' registry.example.net # xai_api_key
docker login --username deploy --password 'gldt-25ycO47lamPBUkXOnr5V' registry.example.net # access_3
curl -fsS -H 'BINANCE_API_SECRET=GU6WRfoLlt6Nq1UVpSpmh5qBOjQFnPIck1uyHDxpfN3rbWfh1bjrrlioxqlfRaa8' https://api.example.net/v1/status
curl -fsS -H 'SNYK_TOKEN=87b91667-d192-460c-a94b-1006f267786c' https://api.example.net/v1/status
curl -fsS -H 'MANDRILL_API_KEY=md-0tBmAbYvzswrrxdUOdfvlc' https://api.example.net/v1/status
docker login --username deploy --password 'sntrys_eyJ5HHmMzGiHuw3j83luaEL2jSEiryT3WKllfjVhiRVfkUyQTudoOgNLJeJ2XZNypeA0RoT8XYXZW8uON5PSLSnxzbmwDJmI0JZodcc_m+BeARlrO0CHCLztQUmHs0Zw69MD1OtN5P6FkWD/q9Z' registry.example.net # access_4
docker login --username deploy --password 'access-production-ed27f460-f9c7-42aa-af0d-53fe00172e86' registry.example.net # auth_11
export GITLAB_TOKEN_5='glpat-bzprdjV2CnU6NWp6YmO4K535AAYE-9YyLjilTysmEA.01.161el9nvh'
curl -fsS -H 'DJANGO_SECRET_KEY=django-insecure-apYixgufPTKecPSrd04AgebwZHO2BA6VQ3iSZhUP' https://api.example.net/v1/status
export SENDGRID_API_KEY='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'
docker login --username deploy --password 'ctZwNzyVdzC1m6cw35qwu2f/nWFtvI+AMAzCaCAFxiX=' registry.example.net # azure_redis_key
curl -fsS -H 'RAILWAY_TOKEN=fe15bbf6-8713-4793-a9b5-f7e94212717e' https://api.example.net/v1/status
docker login --username deploy --password 'sk-lf-e2b55d59-9c59-4784-a014-65c761aa2616' registry.example.net # langfuse_key
curl -fsS -H 'UPSTASH_REDIS_REST_TOKEN=AXHNEShBKP4EcVpz1GBBSc6Xz7fcMsABLMAOZ2zLgGDv31nLNm0Z9J2ZjcosaU' https://api.example.net/v1/status
docker login --username deploy --password 'JMvnoPHicnMdEL6TvsZzsyqWbuhNI8854KUnewZd78rFCI8VZwmhUVLvwd2ZwERFdgb4hplvGefwAPIMnnPe7Q==' registry.example.net # azure_apim_key
curl -fsS -H 'DSN=prod;UID=app;PWD=GOo6lpU8fXEhHu9y' https://api.example.net/v1/status
curl -fsS -H 'GOCARDLESS_ACCESS_TOKEN=live_VHMSo93Nv-nN6PlG1Iqp7SfyDZ4XTxJdVcCu70F2' https://api.example.net/v1/status
docker login --username deploy --password '347b6a1c19ae30bd575e53fb2212d1c9-us69' registry.example.net # mailchimp_api_key
curl -fsS -H 'STABILITY_API_KEY=sk-fzu98nF28Num9H611Gj2Gs51NnUvpbGw13gxkC0rtzxLiT3c' https://api.example.net/v1/status
curl -fsS -H 'TOGETHER_API_KEY=tgp_v1_Npiv1imG7J-3ub4QFCc5Z_Ipap6FKbuwc4RUCZlLgSp' https://api.example.net/v1/status
export GROQ_API_KEY='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'
curl -fsS -H 'SUMO_ACCESS_ID=su4scz3ZwfezTh' https://api.example.net/v1/status
curl -fsS -H 'MESSAGEBIRD_API_KEY=ZH3Hq66lN4LJdHPpefLOWpNS6' https://api.example.net/v1/status
curl -fsS -H 'SPARKPOST_API_KEY=ae201b3eb57ffc9e0cf286f3317763da9fb664a9' https://api.example.net/v1/status
docker login --username deploy --password 'dp.pt.FN668rKqXmZAtY6hPfQlaXOodMUMlP0URIZoZAopDPS' registry.example.net # upstream_auth_7
export CREDENTIAL_12='ATTA8T9CPGtW1rLpGZhE0owQfu84dgbGyTqNqJHO8Jej92to4w5SuhgYXrE48cBfsaHx0BE2502E'
export CLIENT_AUTH_9='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'
docker login --username deploy --password 'gloas-DU6GxKH85VWpoRouHQf4-huLmONzJ026KtAvw-EW1iqYFUV277dnJBWIoxFJkjfQ' registry.example.net # upstream_auth_8
curl -fsS -H 'JWT_SECRET=QPIAfpYpzp3leBqqDszH3DgtamQl61aO' https://api.example.net/v1/status
docker login --username deploy --password 'ATBBX3iUSWRu8rM7omi4PqiLEFa8JKxMofeF94E0D0CF' registry.example.net # bitbucket_token
curl -fsS -H 'TENCENTCLOUD_SECRET_KEY=BGnyhdEvYlGI1CvwoFWOigiAJE2YIGLr' https://api.example.net/v1/status
export PINECONE_API_KEY='pcsk_EUZJgH_eq6Njjjc8wSgpomKGd3Ht5yHxdxlc3JNDtnt9uZrJ1jHrBkImP8JKRpT7Qi1FEwX'
docker login --username deploy --password 'ya29.a00lxqGH5uyqpDzduzNWYKUxoXgELQwLJiqNC8a9-xSK67g4bzyE1BLrN5AZpnY9281XcK5P50RAD8V4weavCRJIcWYTpSO7e6j9EEif3DwXViMA0mKISQPxza5NE7O8-R229TuHkWMTKisP10Au28OK' registry.example.net # google_oauth_token
curl -fsS -H 'gradle.publish.secret=UAvtAcKdaem244HCiukJPRhJsiP8Si9G' https://api.example.net/v1/status
docker login --username deploy --password 'p8e-l6kA2WeeYcmGhTgtky614GYGFEPdPvNb' registry.example.net # upstream_auth_9
curl -fsS -H 'ASSEMBLYAI_API_KEY=3d9c0788e86283ad33567dda1e69c1c6' https://api.example.net/v1/status
