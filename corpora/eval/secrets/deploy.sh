#!/usr/bin/env bash
set -euo pipefail

docker login --username deploy --password 'sdk-daa46d3c-1c03-44d4-a389-8c5ce99358b0' registry.example.net # launchdarkly_key
export GITHUB_TOKEN='ghu_iItLvET9NGtRdiRFirFW1EB5Cp9VHh4DNK3E'
docker login --username deploy --password 'dckr_oat_xWOW7SEaVvpsPnVERMMOdaZvcUAjYOvw' registry.example.net # access
export CREDENTIAL='EAAAGA9VMfc6aLOHAGBu7Clfu3kD9OHMmf6FCSb9j1GMB4wFZ27gAaXulN0yflvh'
curl -fsS -H 'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=Z528FNmvfp94x56cQ5TwtADMjTwUu/Qo5QStN+MwfYN=' https://api.example.net/v1/status
export UPSTREAM_AUTH='sk-svcacct-wFh-pPTgCHzgTa5QPg6gAr6woUnTRnVR2vnNUDZD6bHkz3S-TIjW11qW4cSiZjzYWfJmdedSHBRb9j3TbGIZHJRpkA_GAtAJzPCSwkceTE-xXPjS57GZq7lKOS8G5CuhvieHrcqZSRnsGGS6Umv12rutO7Np'
export SLACK_TOKEN='xoxp-42007041047-90495948958-1422533104034-12898a86016574e039c500c39f6d7550'
export AZURE_FUNCTION_KEY='B97XxiaoKH0s07Cyi2GGOAZ9NBdlj5DgbO3G3QzGfHKVAzFugwHcrg=='
export CLIENT_AUTH='PMAK-e1992e97a3772e797c2fe60a-21370ef391ddda8d705db2e67eef271b9a'
curl -fsS -H 'MAILJET_SECRET_KEY=4c627ca6bdb7b007ce36950e73feb76c' https://api.example.net/v1/status
export MAILCHIMP_API_KEY='ef3f324763ed2d430f0b6c135d47b374-us35'
docker login --username deploy --password 'dnkey-wPsdR7MHFHBCu0tfNH-FKR-Sdj-ehnYrAgiVx7BnPhTFLsnyrKLCJL3bh3aJtSDI_0rVVUnRPLGjVHh' registry.example.net # dnkey
curl -fsS -H 'BINANCE_API_SECRET=whPw3dwqbE4VihHoxotuxg7bq782wnmZda63GAORj1gadclTGXH6rh5EWtbAxt19' https://api.example.net/v1/status
curl -fsS -H 'ENCRYPTION_KEY=582a6e7e2f9173ab7807b55750ac97f5061dee85d159add5e1ebafdca1c56b74' https://api.example.net/v1/status
export GITLAB_TOKEN='glrt-t1_bzo1MTJuCnU6NHJ4bWMo8AmiTbKo1eVZ-PwjVd4FEA.01.160qwbtxc'
export ARTIFACTORY_KEY='cmVmdbHutTQGGk6jmGhnbPgQjTwkQrxV3xbwt02Y2OOJMhhgpBG7ADbfxJXdHzmx'
docker login --username deploy --password 'EhxC5kWxmxSJJVO7JIrP/fi06kOjLwCUkHif43nsRI+ACRCW5ILt' registry.example.net # azure_acr_key
docker login --username deploy --password 'sb_secret_wZti1ZC1hX-TsO2nUInxK8v70cgTIFJ' registry.example.net # access_3
curl -fsS -H 'ELEVENLABS_API_KEY=sk_2ab2a9f9185b6122db5cd1c30c2c302e5046b4ae76638616' https://api.example.net/v1/status
export SCALINGO_TOKEN='tk-us-vGW_YqdIIxw7NyOSs8-8d2nuUxaQs-TX5-V1S6Y2DHyCpMjP'
docker login --username deploy --password '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' registry.example.net # auth
curl -fsS -H 'SENDBIRD_API_TOKEN=2a32d3b1c49cec1e03149aed294ee4787eee50a5' https://api.example.net/v1/status
curl -fsS -H 'https://hooks.slack.com/services/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' https://api.example.net/v1/status
export DATABRICKS_TOKEN='dapi10abe7b4b2455feaca514ee8b4f27c27'
docker login --username deploy --password 'hf_anjCmnCVFyOKhB7LAbdrChTpnZPhUWociM' registry.example.net # huggingface_token
docker login --username deploy --password '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' registry.example.net # credential_2
curl -fsS -H 'SOLANA_PRIVATE_KEY=8oerxXBNaK2uGeWcdC69Jzb1H6FYGs1yKiotWrBPYAP9e6FJSszQ4L2whWtbTsn313Uacd9kvZov8o3swbMyWg8' https://api.example.net/v1/status
export RENDER_API_KEY='rnd_ryjHNTUgE0rytIpwlTcVTiz3YBQ5SK2V'
export GITLAB_TOKEN_2='gldt-K9QNP244E8YhhG8r6F42'
curl -fsS -H 'SUMOLOGIC_ACCESS_KEY=8tzTpRs7jrvIfTwZKNqAG392d0R47pE43k3ITtmz1Xxs4ep0HDV7ggvXLU10zrmd' https://api.example.net/v1/status
curl -fsS -H 'IBM_CLOUD_API_KEY=DacCxqZ6itI3NyStfZDbU45HujL4ft83ucnQfltf3BzM' https://api.example.net/v1/status
export FLUTTERWAVE_KEY='FLWSECK_TEST-66efd499c89c14c394b5cfcb082f7b88-X'
export OPENAI_API_KEY='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'
curl -fsS -H 'TENCENTCLOUD_SECRET_KEY=cOKutB6KHNfNgvxvSERaX3Oy1UdcslG0' https://api.example.net/v1/status
curl -fsS -H 'JENKINS_API_TOKEN=116162dbd91ea2e97a30d6fbdd79601f00' https://api.example.net/v1/status
curl -fsS -H 'MATTERMOST_TOKEN=ah5fdkvuhl83x1l62y59gjnvao' https://api.example.net/v1/status
export PASSWORD_HASH='$6$BdMlMug1AoVi5YO/$aeoV9i3xLmB/oHBm/tx/cIxPRWYtE64m4mJQ1EMW1XuDqp0QcaiOoK/45hqk6k/YaOCPKg1imnLefv.AYyYhSq'
curl -fsS -H 'BUGSNAG_API_KEY=588d4e4a64e6946920c91a3422e76b79' https://api.example.net/v1/status
export AUTH_2='ico-RUP4wj6LifgwIyvD4kwLx9beU79cYcXA'
export CLIENT_AUTH_3='sl.UI2LVvbQiUnZrgSZUWh8mR9gxXvrbsnImiYw3A0ud38lJztUu1PAoSXqHH1vd8JjIoazUJoJRYBdlBX5aUumGQvLatGwoClfurxxqvwGsMzJcZ7kDA6xUSf5QLdZA8hobsHi2EY-zjUx'
docker login --username deploy --password 'ddp_7wv6YGU8hI8WsBIaCoXSRxHFje4ERr2qRVcw' registry.example.net # auth_3
curl -fsS -H 'LOOPS_API_KEY=c587d144ed10956e52e1bcdcaad31ab1' https://api.example.net/v1/status
docker login --username deploy --password 'NRAA-030d4f2a7f2d858f1b064d0ab2a' registry.example.net # credential_5
curl -fsS -H 'FACEBOOK_APP_SECRET=ee62b16f433270e4bfb1621b05dd307b' https://api.example.net/v1/status
docker login --username deploy --password 'lbB/Kh02GV7NyUQvBrcFnf/D+AHBqK5nKxZwoS6kITNAeZSEvp2ntThUSghV9MLf0FF0rmUzvL8rAPIMfFGaxg==' registry.example.net # azure_apim_key
curl -fsS -H 'HEX_API_KEY=e39e31735005602a3aac80388df5d10d' https://api.example.net/v1/status
curl -fsS -H 'https://hooks.zapier.com/hooks/catch/68371741/d6sqzn3' https://api.example.net/v1/status
curl -fsS -H 'FASTLY_API_TOKEN=r4ZxK11vpklUT-ts4f6GUsIUePH60wAX' https://api.example.net/v1/status
docker login --username deploy --password 'xoxs-3459608784-1727460865-7487863721-fb7f31a9d8458135c2a5269a4d3d25af' registry.example.net # slack_token_2
curl -fsS -H '//registry.npmjs.org/:_authToken=da1135cd-c919-4c98-ac7e-cf0ea4967f0f' https://api.example.net/v1/status
curl -fsS -H 'LINKEDIN_CLIENT_SECRET=zBVYaiHxW6ZWZUUD' https://api.example.net/v1/status
docker login --username deploy --password 'access_token$production$d2k1uxyn1q7erqg0$24388a0003e5a9dd5fbff9719533a2b7' registry.example.net # braintree_token
docker login --username deploy --password 'ATBBlnbYfwf1FRfxQmIFm3XTeSERfpUqB8MT77C6D449' registry.example.net # bitbucket_token
docker login --username deploy --password 'NRAK-E1ZSJF599M3H94UYBDWBTDDPYZX' registry.example.net # new_relic_key
curl -fsS -H 'RAILWAY_TOKEN=bac5b531-4feb-4346-a372-a38385335835' https://api.example.net/v1/status
docker login --username deploy --password 'csk-qy0pkl10ir11v3hkmqzeczwvhdjvfgoa8ldfsc8983w6d972' registry.example.net # cerebras_api_key
export HONEYBADGER_TOKEN='hbp_sUslOmZaoW7nFXZIdW5psiZwUO9LwL3m7hho'
docker login --username deploy --password 're_nIVbO5ki_xwXSmHVPYUCTIKodIE3106Z1' registry.example.net # resend_api_key
curl -fsS -H 'TWITCH_OAUTH_TOKEN=h73kjt0hozzo2v4c6xrysmdtiry0vf' https://api.example.net/v1/status
curl -fsS -H 'CLARIFAI_PAT=3b5ba1d541487a972b1994bcd13e1b9a' https://api.example.net/v1/status
docker login --username deploy --password 'xau_PzO4UnA36wBGdAImqSQ8dlclaswrGJ9maORdJK6l' registry.example.net # xata_api_key
docker login --username deploy --password 'eyJrIjoiGazz5wjNjQfTe9Y4uAULhCcWYwaHV0i9yCfjIj5dbrIm8dU48Q3tCZYgFNH0RR88F6ZvjnuRGPUWwi3qoyr2NcD3AV' registry.example.net # grafana_token
docker login --username deploy --password 'esecret_PPiRiB11reYDb06kSZ1qhMYw3p' registry.example.net # anyscale_api_key
export ACCESS_4='NRIQ-8HBGsUwWmINjEx83QABuS0A_qr7Exz2C'
curl -fsS -H 'STABILITY_API_KEY=sk-H5KptYWDb8gFS6zAyJz4RNDI4YlMP169dCmd5WqeZx67OyTj' https://api.example.net/v1/status
export CLIENT_AUTH_4='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'
docker login --username deploy --password 'xoxb-447011572009-3501946469788-rXCBuTcp2kzda6ynFYRk4YaZ' registry.example.net # auth_4
curl -fsS -H 'AZURE_OPENAI_API_KEY=1e7b9e49c8801d237cbcf8c4129cff5a' https://api.example.net/v1/status
docker login --username deploy --password 'r8_OHtu8IeEseidRnufLdOQqrrpEAwoevTVaujeo' registry.example.net # replicate_api_token
docker login --username deploy --password 'oKF8Q~T5k9ERNt2t8QBFHIvNicUGv6CAd4bUjpL3' registry.example.net # azure_client_secret
curl -fsS -H 'MONGODB_ATLAS_PRIVATE_KEY=c9b0c14d-1960-4a5b-ae54-149e229a2d57' https://api.example.net/v1/status
curl -fsS -H 'WANDB_API_KEY=04e74690519c7abd10705b127b96cb8408f8792e' https://api.example.net/v1/status
curl -fsS -H 'ETHERSCAN_API_KEY=1AXD4Y67MLM0CR6HM2ZEQ3XDH7W68OJJIP' https://api.example.net/v1/status
docker login --username deploy --password 'shippo_live_09a8d49dd4fd6e8277afa1be8173ec04d276e662' registry.example.net # shippo_token
export UPSTREAM_AUTH_2='eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTFmN3F3b280ZjFxcSIsImlhdCI6MTcxMDY3NzY3NH0.ANlGQefoB6RcbWFPac1U2m8XIJk8dTCPF4Kn4COn9KY'
curl -fsS -H 'HCLOUD_TOKEN=mp3rRSxG2XXhkQ1MLaF7yOuTbakEsoHj6nfrkoDqNVwdnUG3tJnPodWVWgRUgOlt' https://api.example.net/v1/status
export BUILDKITE_TOKEN='bkua_2d2af5e3f6e0a77044316df077b922102220edcb'
export HEROKU_API_KEY='HRKU-AAd_BomKWV7x1m-gBEAse1C9rjTbbA1MwKySgvy2tHLPDvt7a_GbJhwDfsmX'
docker login --username deploy --password 'AlZaAJhXTyAQ1L1tublOlvQCvxkU9s9RM13vy3k4liAzSeCLPLCV' registry.example.net # azure_search_key
export GITLAB_TOKEN_3='glpat-lvnISSnW2mHvl30lHmJD'
curl -fsS -H 'PAYPAL_CLIENT_SECRET=EuqJTocOi2vxizeGUXXSP8ARWamGd3OfX3CY0mYHlRAob9X_1_71o6fpFP3nbTDmIxZrn_P3faL5O65X' https://api.example.net/v1/status
curl -fsS -H 'GITHUB_CLIENT_SECRET=722b5a75842775b38ac8d4205d8161d63190c6e5' https://api.example.net/v1/status
curl -fsS -H 'ROLLBAR_ACCESS_TOKEN=7c37bbad1fd5e4cc4bdaf5eadf9001f1' https://api.example.net/v1/status
export GRAFANA_TOKEN_2='glc_ZgPorJL2uzlsnl7xYgXbTj5BgwVcrBcVF5X8qTU3TYXFZOEOadaPnE4O7zbN'
export SLACK_TOKEN_3='xoxe.xoxp-1-CYeR6yYZtMtYTXmVBJ4FgcUuKr84Imme6Y20RAKzLKWYGhcKW5UtBPhiM7T0SxOl9EZcMdhdvZ23J4joh5AE8f9KKYwPOA1Bp1yF2HiqjnNH7wej8U0W35s3h27ZlX5whL1VEH58PJnsPtMYesmjzbp8u5JUoGb4'
export SENTRY_TOKEN='sntrys_eyJ5ZDO4ISdlwQMEXdrLyCOBiITSvQqsU12OQQlb1uV4m+ZIV8zWI/wPepynMd0gqRhxEEQf1pjwlfspX8/Dx9rCc7uKSi11pDgHOJ7_Yf9Br2V4DXhtRysg4fV5b6lrQB05CT+KJafS3F0AcOl'
curl -fsS -H 'MAILGUN_SIGNING_KEY=b5e015e7336d4f96a1e71eb81cb09f34-0b9db3c2-01c53a7f' https://api.example.net/v1/status
docker login --username deploy --password 'AAAAAAAAAAAAAAAAAAAAAYTcwtALnJxCa%3Dt1daTf9qnsSdQHUqqe9HMsIXBZKAwFO8ATpDf0kdpAJCbYoUGgiWy0E5MCTai1LddLzkLeqGCDvdWy8GpoTD' registry.example.net # credential_8
docker login --username deploy --password 'dp.pt.n3e8NDzqbgpwtf5yIidSuVxpvMAhN86Iv7LeVlWjdfy' registry.example.net # doppler_token
curl -fsS -H 'SPARKPOST_API_KEY=04360a95cacb8f159dbe90a601ec8039be897f2c' https://api.example.net/v1/status
docker login --username deploy --password 'tfp_HXMNRWO43aZ6eoR2UkeDaqwnJZaZYy2aUbp5cPsRhVvKis9SPAAFW-dW8Xn' registry.example.net # access_5
export NUGET_API_KEY='oy2nnodadza20bdq55uan5rdismd44aebkhxd27z5xivny'
curl -fsS -H 'TWILIO_AUTH_TOKEN=668e48a00b6091c37a631501b8df84c3' https://api.example.net/v1/status
curl -fsS -H 'WIF_KEY=KHh1pYWMFgnRDR2G3Pm4uQADTf7W67xrUB4UN11Lyj5d5XtTcBG2' https://api.example.net/v1/status
curl -fsS -H 'client-key-data: LS0tLS1CRUdJTiwX6hrVMZsGMNmOBnyua6KsERZSeBXXABQanw6anLNzBsN3nJDDnrjWqeOqRuMzSSz+tLed8v/ZK4OtoYVP7rdEbSkFGzKkv+Z6lh1JCJvj5jlD0zCb28Gc6HFkBEptGH/8iAvVlgml0zEUI+puZTJH2IkECv564+EQBl5UVRcns0MeDy+aXce5YAl9pGX4YlwOL7VrZA3b5nyyKfSiX1VgxqMeRRVBB3mzwo+kg+fpWeNNRNTxg4ELRU7VP2XgQD+Tl1MFFsDE8QVSdL7c7/NnmZo47h7VDvFNZ+5E/CpjweoZiAh9SccJ/ezDGoD7Jq16Y9IZlOsrSp8mBtjoLyzdpRgomE9/HuD3vy5oz1C9muDUbO0DowHcbX6am+tQeooF2AVqWZaZHECNx9' https://api.example.net/v1/status
docker login --username deploy --password 'jbaPLj5WxFj6hPZkWgIQvk0fWo3u8mfVKesw7Iq6boSWC4vOJp4sy6tA1A9LLInYiwQgkHyQhi6Z+ASt679lRQ==' registry.example.net # azure_storage_key
export FLUTTERWAVE_KEY_2='FLWSECK_TEST16a3928fd20f'
curl -fsS -H 'ASANA_TOKEN=2/9322796372853707/3037468759797532:8bcfe8ac1fad5196b368c1d96860e268' https://api.example.net/v1/status
export AZURE_COSMOS_KEY='T/A0p5cXfhA5t5nwIluubCIgq6wTaUsxLj+4pglX3UBNRvQsJ4X1IiRz23KFlpoL51XMP0vcVsM6ACDbFNXrng=='
curl -fsS -H 'https://prod-27.westeurope.logic.azure.com:443/workflows/1fa52c3dd55d7e9336280475d6ac8d02/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=7D0GGFuzc5aVAn-tmszy0x17NtWqxBg5bj0CPPaV4PP' https://api.example.net/v1/status
export TERRAFORM_TOKEN='ffrkvMCpVeMw26.atlasv1.xIJJEkj2n_ujkALq3rbsfJfqH8I0Q4zVn4cxEie3wYd5hCxAMouE_MGS7OpiBOl_q69'
docker login --username deploy --password 'pa-5q87CvZhBxT0S2S8PJcFgMB93RhY6uGPoY4nU2SdZlA' registry.example.net # voyage_api_key
docker login --username deploy --password 'AAAA8b4iwF3:APA91bXRdM1ofbZUYPO8fQ6OdxQO-ApwTTsqcCwGQchYs2BtmTr0WYf1dMP3uZe99uyXsmk_q2U5gEwy6AUApKqDGX7Jjai_fbDPvMbpBkMd4y5MwGzlhMK8KYR2VMUyZd6KeGVFsTLR' registry.example.net # fcm_server_key
export CARGO_REGISTRY_TOKEN='cioCml55B3OQzsvolGlnR5BhQdYYO5NyxI3'
docker login --username deploy --password 'figd_cnsfNg6Pl15CNwAEtlcDJBDSldU5t151SDvk6KGf' registry.example.net # figma_token
curl -fsS -H 'TWITTER_API_SECRET=KA8yMCbYZX7l9EfQqjkwVXEop9fysFNgLLCVokUZb0oeMUJPEf' https://api.example.net/v1/status
export SUPABASE_TOKEN='sbp_0545316b2259c19197cd0d752075f463cffcf052'
curl -fsS -H 'POSTMARK_SERVER_TOKEN=6600bbd0-59a9-41ec-a05d-5d7f8c904d5d' https://api.example.net/v1/status
export GITLAB_TOKEN_4='glptt-d89a21caa29c07718d5a175f939f36cc5572c46e'
export ANTHROPIC_API_KEY='sk-ant-api03-1Q86boPi7dVtc_ogVZns4UkvvSK9nBaZZf6NPhT-8SnOtJOdfwB3V09ayv4645hCs8xBNrTvKC__C1cWXjHDo8w79NOCTAA'
docker login --username deploy --password 'machine api.example.com login deploy password 49nHnVdEq7GGcpDq7yWG' registry.example.net # password
docker login --username deploy --password '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' registry.example.net # credential_9
curl -fsS -H 'curl -u admin:dTpuBoFi2xt2l8TC' https://api.example.net/v1/status
curl -fsS -H 'AZURE_DEVOPS_PAT=d2gpbeygnlawigtdaqh6blniabzpemobbxdycc2pan5ezcl4fo7f' https://api.example.net/v1/status
curl -fsS -H 'SCW_SECRET_KEY=8380efa7-7704-4240-af4b-d40c288ae39e' https://api.example.net/v1/status
docker login --username deploy --password 'sk-ant-admin01-JenKFaEdCkz-DagyK-Xfgxo-oz_6J-AJLBad-_mUOfLGUB5rzE-RJyRnJ4lSxpu1GUDJxSExrC6iuzH9JuuEp1VdGeArnAA' registry.example.net # anthropic_api_key_2
curl -fsS -H 'BUNDLE_ENTERPRISE__CONTRIBSYS__COM=301020be:8a498619' https://api.example.net/v1/status
export ACCESS_6='doo_v1_64cd647ef3172a9db07b3cf6478692a656d302feaff1b85b992e92bc09c3c10c'
export CREDENTIAL_10='pat.zo05dUpl9vmUbI-tRFR74i.anvowQBwA4zrJFx9DSvArNEs.svXDtRem6xXtgU9F3Eih'
export UPSTREAM_AUTH_4='gloas-fXhfN89N_D3T5He_KhOcsvk32OFzrQKWgbFcnurXC3ENWz35PZMX0vDOnCeFdMpp'
export UPSTREAM_AUTH_5='glffct-ZgsgKQJWqT3YKTe4mbIi'
docker login --username deploy --password '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' registry.example.net # maxmind_key
docker login --username deploy --password 'RV97hPY2NgHZ+yR55PRWxHBl28bytLSz7Yj13UtA+1EK+CJFiAjN2gX7P70dpfz15uR7knvRhVuD+ABa7y5Duw==' registry.example.net # auth_6
docker login --username deploy --password 'ghs_rhLxFhfaOedZxl3wyYZjRIfA5fRpYx0enSHS' registry.example.net # github_token_2
docker login --username deploy --password 'live_13c36cb16d37cfe6f0ef3b9fd218b989488' registry.example.net # credential_11
curl -fsS -H 'KRAKEN_PRIVATE_KEY=MhTVX6T1P1lYhCIRC5GITxhmWRAVEmdLPW+W6UoP0suFgTPH8g/S06qbfVQCR4FrIutKCcd6efcQaki7eg9IIu==' https://api.example.net/v1/status
docker login --username deploy --password '-----BEGIN RSA PRIVATE KEY-----
OkWIeDCE6K0t/mWY5wwNe2Cs0ewrSPp/YfuCcOb3tJHNIXzi5sEip/09awZhiwhi
8/fI1+sTvni81mgXJ7FoHg2B+hg8zZIqEXYDtCWLv95bE6IINPLlsVFhzQGJy5vl
tXmYcJSK/h6CYByictInuPi/2NDNhqy2JAvHAXmtZAjJgeXPi+k0IIZJJyD4hGk9
n2gBXJiYJ8CRN2bsRFpQK4TreeqeF5v2N2PI661NWfnWzqOEtjoUf3dl4fFzqKXN
uLC5utQOYsx6FfaPiIVyUQvey/g4xj1hnR3SLcC/yrelq4/mAIKOAJjVFppYfnkm
IAyjT4dJrF99WP+FYT8IQ57z+mHouyMwZL4FBbyotlVuFAHotgmI3t+jv+s90twB
2CBqT2gi+9rhISg7aM9q9zn2bgojsnasia7mcB9JviRuNLNohkgKYsOwOYcRIR1S
l0kb310ywPQhzWsI+NGddnkK2XKkatz6rPokBZOGXK1ymJ41YfaZElpgB3G6fick
aLTLTRwSE1CAURGppqmig9u63Kk9jHNYduoW4Y9sm8Lo7MiYv+/NOTieiy0QlwXa
6WXa8uZ3jt5UcFC9P92dOGxYfie4MrL9ftURwAY0hZ7SwQyZtxGrqLdq6obPzq0V
uPYc7B5exm6qfIPQJl9JvY4Y/EiNk25S5ypUUe6WJ1O46uhI3/frfbmOfs4yHnWD
JIIqEQtCJYckdr+3/dOCsHft4VISJ0Gi9/jjiXkcQ4Cn5O+Zn0Oo9KAyk0YE2C5A
t39nCLb6ZLjcrJXfx+T9f/5qHALOlXZ1
-----END RSA PRIVATE KEY-----' registry.example.net # private_key
export NEON_API_KEY='napi_cvf4lylfg3g5994k3i4m321kjturrhr5e50lgmhtldx3ozyt6wgj7u6p4wgdkd4n'
docker login --username deploy --password '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' registry.example.net # upstream_auth_6
docker login --username deploy --password 'pul-01857e1696ae5d25b1928b616e3d5ef55506aa6b' registry.example.net # pulumi_token
docker login --username deploy --password 'sshpass -p QgR0zEUedRrWsxCB' registry.example.net # password_3
export PREFECT_API_KEY='pnu_ACeYxLG69kKel14aYJhtZkQ3tjlO9sNxsAkK'
export CLICKUP_TOKEN='pk_62089904_36CD7Y3RI0B5N68BWT4PSE98SJF0X5MG'
curl -fsS -H 'DD_APP_KEY=c24c7835dee133b37f8fb541d04a1626fcfa9aa5' https://api.example.net/v1/status
export CHECKLY_KEY='cu_84fd8d24d0238fc81422f6e503150d3f'
docker login --username deploy --password 'glpat-bzo4d3J4CnU6Mmw1aHKM0dNbUaMWyYtOQ72tBORsEA.01.1614plmyl' registry.example.net # gitlab_token_5
export GITLAB_TOKEN_6='glrt-aGelGSQT8e4SUv7m7wZg'
docker login --username deploy --password 'sm_pat_xRgA7l7fIegttLb8' registry.example.net # upstream_auth_7
docker login --username deploy --password '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' registry.example.net # groq_api_key
curl -fsS -H 'OPSGENIE_API_KEY=7d757d4b-fb5c-4d4c-ab52-74bbee498418' https://api.example.net/v1/status
docker login --username deploy --password 'dop_v1_93cbc7aa0f2a49ffeec49bbdf862d133d9af881b1049cfa0e4cf0c4dbb3f68b2' registry.example.net # digitalocean_token
docker login --username deploy --password 'rdme_zuvswgfw2fqqtglbxxbdhbsgbyeer1wzhpumhhcjb749vnv4ezn83lh20cxpiena210iul' registry.example.net # auth_8
docker login --username deploy --password 'fc-a99321ebe4918c16239448e1d4be81ed' registry.example.net # firecrawl_api_key
curl -fsS -H '//npm.pkg.example.com/:_auth=kSUxHUNhbGGVCgx+aZPcQLBIVWHZBHFJJ+akd4Fq==' https://api.example.net/v1/status
curl -fsS -H 'INFURA_API_KEY=f5f42c5e67f9fba515992dfbe4f443ea' https://api.example.net/v1/status
export TENCENT_SECRET_ID='AKIDB1YH1dbbqaL4PAmcp5xO7A6cjcCU0MlZ'
docker login --username deploy --password 'squ_066931335a54e746371968ea4b3d2d7f2a5878d2' registry.example.net # sonar_token
docker login --username deploy --password 'NRII-MGJwZfWRS7tkIizQyHPogwRC8G4lPiRT' registry.example.net # new_relic_key_2
docker login --username deploy --password '84644185e9f4ecadbb359c3a6bd043d50e39NRAL' registry.example.net # new_relic_key_3
curl -fsS -H 'OCI_AUTH_TOKEN=yADXLEZPH7V2UjVap8dv' https://api.example.net/v1/status
export CIRCLECI_TOKEN='CCIPRJ_MB1SK5zXL7x0zVJdySeAbD_9c1bed221d048245dcb80b68d2762292f6918a64'
curl -fsS -H 'PAGERDUTY_API_KEY=u+rNnXbYnyS0hN2qyMNK' https://api.example.net/v1/status
curl -fsS -H 'VULTR_API_KEY=UTQ188G450Z30AFD6ED7Z6H68CB4LAAP6B4C' https://api.example.net/v1/status
export OPENSHIFT_TOKEN='sha256~nIcMcCbwDgmvpjzY0aQ3mDjxh5ED4SxGDWVqf4tgsVf'
export OPENAI_API_KEY_2='sk-admin-YXfqOEIaneIfnRBpD--S0Q7pIrHo-RYBrr60dMDkS9CeqOf4s6z508JGCXyNm2jDx0k3xLv8_AR1WjFNIDfGtjEW1eDdAAlixKFG4y_BK3ATVEMxZDcnjKWkR_nTgfbl9hcze6_jqRYyE3VYh43wVfWunTy7'
docker login --username deploy --password 'SKdb7b12dff80fb705954b29b7992c76ea' registry.example.net # twilio_key_2
curl -fsS -H 'COINBASE_API_SECRET=KtBDDV8B4lzoHSKsGN_Z3hRxO4N0r19PlTebD6bALDjP71WrKGfH0y_GLXpaAfIy' https://api.example.net/v1/status
curl -fsS -H 'LOGZIO_TOKEN=ksewnxluhfbvkudnQNQXVBOSJHQFTIJL' https://api.example.net/v1/status
export CLIENT_AUTH_7='EAABocY5USCpDKwmAyc9g7E2MYSzbeRrx9OjMKlF2rYSbMoQ5BzFI9G0IhsqxjTROpChnLC3aUiGP95wW8nGgVg8kvMK6LraHZxZrXMc9LFwQvSnp6IchBLvxXMu'
export VAULT_TOKEN='hvb.1jdTq0JNjwGuPyvpjtSHt3wB7h95GeVSfWOokSS8XUDb93TLLG1X7DflZYGOXSyKFGtHx3NtIQz39jSHysXuBiFPL70kCbHDpaea4oqUzDE_XLdAYJCUbJiUHohorIah29EigeNbZUwA'
curl -fsS -H 'MNEMONIC=again alley afford also analyst ancient aisle agree analyst anger acquire action' https://api.example.net/v1/status
docker login --username deploy --password 'fw_lu8xjrBYlC1odhCTnV1SMqbg' registry.example.net # fireworks_api_key
docker login --username deploy --password 'key-4ce4262bb01b9d8744366fbb326ce866' registry.example.net # mailgun_api_key_2
curl -fsS -H '"auth": "YWEFUgBBwJP1zBluDYk5vKyNtBcfwUmiN6pFuv5j==' https://api.example.net/v1/status
curl -fsS -H 'VAULT_TOKEN=s.IVgOSfgtEEwbzngiMF8LmQtC' https://api.example.net/v1/status
docker login --username deploy --password 'dor_v1_64604a50c8293ed688986d97b8c9fe4a16355def44a011f0f589e8e16982d738' registry.example.net # digitalocean_token_2
export AUTH_9='dG9rOjT2D5cb7wYXCZGic77JqIamjI/VSky96CK1kNYjzb9rDjiURzNjHey0='
curl -fsS -H 'SPOTIFY_CLIENT_SECRET=6dc70b84ea4f56c1450941719efc8ad6' https://api.example.net/v1/status
docker login --username deploy --password 'mysql -u root -pboVWiSsQqZdH8ZPB' registry.example.net # access_8
curl -fsS -H 'ALCHEMY_API_KEY=LlONYRDKBvjl-wyxw0q6Ii7zA6muol7N' https://api.example.net/v1/status
export PYPI_TOKEN='pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogIjRjZDlhMDg3LTRmNTAtNGUxMS1hNjJjLWYyNTI3M2ZhYmI4OSJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiCNITzur874ch1-P5s0qNSdN92WnDh2N9lTK7i2ZENBnQ'
export ARTIFACTORY_KEY_2='AKCp9Kyy7UGb4NfVOC9fUu8ce7KYplcZbUnJlZ40kiyoUFQwBwVLefeEgASk1cjOzEqZd5w4T'
docker login --username deploy --password 'jina_6e82c5be8e1d0fcfb2805f70f092b212y1nZMsdPtbLtab2X3VWph47Ybwuf' registry.example.net # jina_api_key
docker login --username deploy --password 'sq0csp-A685OTNN_9lgHnEQXyCff-7YKNEhh1_ZZuLX0OZ49eM' registry.example.net # square_token
docker login --username deploy --password 'ACfxc3sc5Us7h9dz8OtvJfZYY11plzV5BvqrmaqKiaW7AwYzFP9CJQQJ99oHQmonpMhEG6F6glySEfixUGJx' registry.example.net # upstream_auth_11
export KUBERNETES_TOKEN='kubeadm join --token 7cvkqr.872sbs7gvmuxpoq6'
docker login --username deploy --password 'hvr.YXuwR2qp2IR8KnVJ9biJkdJrw8iS9M' registry.example.net # vault_token_2
curl -fsS -H 'DISCORD_BOT_TOKEN=MoV6IShjybXMQOzlJ6bOU60ITr.BoRZGj.sLw_bqVdPFxHaJmjDHNVvvsrXbEppyG_XjMDPy' https://api.example.net/v1/status
export FRAMEIO_TOKEN='fio-u-3j0Cjja2uU0YEm7idTthgHXuKuDco_RmkIIpwtCUFWbeAOXzyAeetM7C1eFdB1Pq'
export AUTH_10='xapp-1-XIM65JYMWYU-5708976262099-af4977987dba3ea0a5f7a19ca1fd745c1b56275ecf9f497667cb8d6fd282304f'
export ALIBABA_ACCESS_KEY='LTAIp1OH3t18LecwIlLS9dt3'
docker login --username deploy --password 'EZAK6D02PbfutFu3kM7YNpSeKEfl5Jojd4MnFM3B2AQL7adFI62wpP8Sl0' registry.example.net # easypost_key
docker login --username deploy --password '4NP+Y80OITa0APIlxRXtOIkzvQxxGcFX4FR5JgP/sWhXpd8m54JcrhUHK0Rse9+yzkMEbuRnBQNf+AMCkihS2A==' registry.example.net # azure_ml_key
export PASSWORD_HASH_2='$2b$12$rfU.4PYGuMKhJXlyOJLaFEz72ewJHNT11lad1LWyx0Dt6bt55w48l'
curl -fsS -H '_gitlab_session=edb2c69469390fd66c48cc74efed57a6' https://api.example.net/v1/status
docker login --username deploy --password 'CCIPAT_E6QFfgPBDhrbzk7Ugpz9wA_db49151635dd2e7996916e3714abebc38a88dd0c' registry.example.net # circleci_token_2
docker login --username deploy --password 'pcsk_cpf03V_5y76BBHZpm9Wjsri2jpZI8aAoQoEBSfXuSZmbSvijvUjn2Y4jTUY6wIr6RkJlYtH' registry.example.net # access_9
curl -fsS -H 'LINODE_TOKEN=a86e74f7fcaa1afa2de58bdff6b61a351e58b00f3ab9ba262748e7360f0b163a' https://api.example.net/v1/status
curl -fsS -H 'https://chat.googleapis.com/v1/spaces/AAAAdV2LOYa/messages?key=AIzaSyvYVmyW_ZEB_uZTKHcnTHC-SempDRTzUXU&token=ZGh4ELN9alwfcj-hJYYKDBMBY1dUPZ3tc9v0VdbrL6e%3D' https://api.example.net/v1/status
export AUTHRESS_KEY='sc_ZlaSFiGBGv8s.9P4Md.acc_2KsPlwXokSz3VkbgnuzG.YuFQWuw4hZZpD9j1mIdzOmsIBdCp6HzXKu6xNIJXOQ4izEk2PzBLg_RJ4Hc5'
