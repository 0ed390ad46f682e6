#!/usr/bin/env bash
set -euo pipefail

curl -fsS -H 'Authorization: Basic 341kYVnAqzOlgLaF7yOmclBNMAQuwhAv' https://api.example.net/v1/status
export SETTLEMINT_TOKEN='sm_pat_kd2ozRMguv0rPUGC'
curl -fsS -H 'SEGMENT_WRITE_KEY=JD05MLevyX6zkqUPgBh7TGbgrG7Z1Yug' https://api.example.net/v1/status
export GITLAB_TOKEN='glpat-vzcEaRqpfRLdqqmr5gMu'
docker login --username deploy --password 'glrt-t1_bzp6dnMKdTozb3cyN5Ftcsf760ZEWLqn_-IrVOIQ.01.1415ybeup' registry.example.net # auth
docker login --username deploy --password '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' registry.example.net # upstream_auth
export ACCESS_2='cmVmd2OdBioFKtCk6FjQvNjwmP75ZqocNvN7Y6eUdSoyLCFdllpNGyeG1soL4Tnt'
docker login --username deploy --password 'hvb.a9HD6Lo_ypDyvui8FCh6pkkmOLlwug4j80vvQ3IH5ZD7MtyVJARC8Y7w9yfnar-7u49B7CI6qkiFsE_6DGw6BTldaqM6bHzelIu1Tr5AIgrD2IRFNpPdlOehcm1BCEfLdTMvEYO8adK4' registry.example.net # vault_token
curl -fsS -H 'WANDB_API_KEY=2717609650679ac4f7e0340b9f350f35daa45949' https://api.example.net/v1/status
curl -fsS -H 'CLARIFAI_PAT=2cd6fc81be69ace99fae5c2a3e39fc4f' https://api.example.net/v1/status
docker login --username deploy --password 'live_366784cdc57852fa86e539357cbb1ff17f9' registry.example.net # lob_api_key
curl -fsS -H 'SESSION_SECRET=rsdOf36rgqMFbC8r9RtzoBsvQJAO68qJ' https://api.example.net/v1/status
docker login --username deploy --password 'sgp_9c0b32dd837c83ed_57efb7ea4043f1d44ef39a61cfb1575649ecad8e' registry.example.net # sourcegraph_token
docker login --username deploy --password 'doo_v1_b5e67b7819771cce860824631eae2991d7fbe5e3c033c196e8c2f9f74970d3fd' registry.example.net # digitalocean_token
export SLACK_TOKEN='xapp-1-1512IOEP702-8518192645578-d9040f560da5fde31ab0a2fd8f48bdf0633b0c4b0b9a8f86fe975d7d71e975c0'
curl -fsS -H 'WIF_KEY=KeeRQGwFGeMW4YNUPCarskNJTvSryyXDNjcJTiAxgypYkC1PdteK' https://api.example.net/v1/status
docker login --username deploy --password 'jina_f44c6c59b439f9c1b6b22f1ad021740bHZFYGBLAmjz4zsjcBvlNII4Ot8v5' registry.example.net # jina_api_key
curl -fsS -H 'BINANCE_API_SECRET=FCP30QrJu5F6Mf7gviQpE75jeFaFWddDp9Gf9dhpmU9Uhe9O91XnPYQK4LiHtTTm' https://api.example.net/v1/status
curl -fsS -H 'VULTR_API_KEY=QCT83HKLTRQUSH36TG47AU8WBND7FCHOPI9U' https://api.example.net/v1/status
export HARNESS_TOKEN='pat.NDMyKYA-GtwVlIeUFEy3lo.gi590N6ybcTZRq2Z4Y09KCCo.HYAMIQMXqspoo1rWZDEn'
export DUFFEL_TOKEN='duffel_live_RqsbeYaXkO6KzGaMyPx5wwcSWlrTVCPbVoZ1kNDhFOE'
export LAUNCHDARKLY_KEY='sdk-50c5ffef-f106-43dc-a282-c0cc738ac278'
docker login --username deploy --password 'glrt-U_R8by-N9ug6uMQdeYLD' registry.example.net # gitlab_token_2
export HUGGINGFACE_TOKEN='hf_DXeIDooUdenEio9m4A9JKT8yFaZRDKex5F'
export INTERCOM_TOKEN='dG9rOjEzeM/kkrLmDSidNvsqvvegvHkwMxQZvYEia6j1Ln1B2CHQeI0ARv6T='
curl -fsS -H 'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=a21IaFm5SNYqupFEUZHh7L8unnvUgZKjUMgy+PQ3G9q=' https://api.example.net/v1/status
curl -fsS -H 'TWILIO_AUTH_TOKEN=c408fce351afebccc2703e486599e1a7' https://api.example.net/v1/status
export DATABRICKS_TOKEN='dapi3774dee9bbe3adf3a0bf60a2c4f01b70'
curl -fsS -H '"private_key": "-----BEGIN PRIVATE KEY-----\nqCv/DBUnk/hgcwcyjoxMiQjgzwLjt6nWkpfff4yPSH8tb+XCRmtSWBlYvJ692N8g\nhdzAWD1Hzk8fYxqWIflPT0f59hFJ9tOw8mosRgw00ckYW10PbYMGTqTFwjdpwKwp\n5eSgT4PGvQaTzztk+/Eu2tC3XvhYw0hB078eGzAXACU8i+Cji0NsQdgRUzQzqPOr\n02NSnQNFVMOBVqMB+hZzFZ9SJfaUHPARqrRJH9DgMSaz0K3ob8sqfp33MEjKU2uq\n6LZdsMjeNmXUdecqbX4RRycX/b5dwygi5uCBAs8bAd1BPk7xjfPjft7vm0G6186e\nNHhF6j8Ollha+Tkke4Iw4JutMf4h7IXmiaBXcDjc4eMBjDjhCq7sBw7XLcN2ywcK\nlqCrnpKl+Zq6hHC765NeRzQmyKIm6duQAyz24t/5F0JDTJ6ltHC6z2HnZhAaH5ZT\n79G81mLq8ZhI7IFTivZNAual7aX1SkCo\n-----END PRIVATE KEY-----\n' https://api.example.net/v1/status
export SLACK_TOKEN_2='xoxb-936570027055-6140493952573-a0YaV8bWUxJboggHInRl6oMJ'
curl -fsS -H 'BUGSNAG_API_KEY=c8faf3a832a6c3642da02673387636b9' https://api.example.net/v1/status
docker login --username deploy --password 'figd_U8CW8emCzHe-u1bUPF2ZlMHHY65YUfWaWJ2tiFIw' registry.example.net # figma_token
docker login --username deploy --password 'sntrys_eyJoTu3stE1b/AqDRYoU9BIvEz7oLV4CBqi8aGOygQ5cROvvPN815TQv+R+sHaUmDSWDYgjwU8tcCOSQ7i6x/JMytcrk4ht0h1PSPTz_PKvq5j6oFy+MQ1LNuxiSAf5HfFh8cbo+Z0Rbdw+XUDl' registry.example.net # sentry_token
docker login --username deploy --password 'rnd_e4n6qkHRMLvHK9TtPhd9a8l8F4Nu6Ghf' registry.example.net # render_api_key
curl -fsS -H 'SENDBIRD_API_TOKEN=da9880cc9b7343ed2721213ea67ac0a6718d4e8f' https://api.example.net/v1/status
curl -fsS -H '"auth": "vMEM1TzKYmyLXbyYiHRhEJZiXGcBEssvqeEFtfsc==' https://api.example.net/v1/status
curl -fsS -H 'ROLLBAR_ACCESS_TOKEN=d737abc984eb13bf8437dbf3271295ff' https://api.example.net/v1/status
export OPENAI_API_KEY='sk-admin-VwJ0YQiYwQB960Weha_KWe7tUdSP2CHAssnpbqicNmLExqEBV42qf4dqT5DtsaQyXQQZlcCtmZLxtmZ9cl6qVzlgny5ubNQ0RcAw3lVp2JZR4t2nuFACmEzCy15LRKlgECrp-UoZirFBCQZNYdy5eyCcPkHr'
export AUTH_2='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'
curl -fsS -H '//registry.npmjs.org/:_authToken=5eb44c16-68b1-4e9e-a0c2-d5c142cdbb2a' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # sendgrid_api_key
export AZURE_ML_KEY='Jt2nXHn7YqG0h88m+vDeSGtnQ6aLz+o/kXlVn91eV5mGr0NpPWLYfLedmEbQGQfTjxLylZbiM94M+AMCQV4YZw=='
curl -fsS -H 'LOOPS_API_KEY=f061c51166bb893bfa47864edcf8c98f' https://api.example.net/v1/status
docker login --username deploy --password 'shippo_live_26c31590ea112f9233e7ca0dc87cfefb852f2d0c' registry.example.net # shippo_token
docker login --username deploy --password 'AAAANFeDBiw:APA91boPmfTByaPIYA-LCCrQJ8s6zVgaQ5nLDxQBhATLQ4aRUEmiTDdRES3bh60VH0fuBAG82ukiiYJF_hDuvSOhlu-cFvkmZeg6a6vPc_z_K45rB-mOHF_sazrDMWlSP37MBR2jIhci' registry.example.net # fcm_server_key
docker login --username deploy --password 'ya29.a08PMhR4YIogdTAzWE5E7JUn-19ed0hzRBz3XjVjBZYHOKJX_hV0LkzAgdZuvP8AZrb7HpCs0Cg421Z9rp0YFcDGOWu2uY41fp27FQ-8nJm69QJkPMPAiNZATk5GJGCQdkrvfryIOUbRZn3RQ-QiSC70' registry.example.net # google_oauth_token
curl -fsS -H 'SOLANA_PRIVATE_KEY=EMJRHskvfDiEEXTdg6BmqGUxKPTrxr5mfX4N81tpNa1EjqDfiZMpxpab6isKNrrpMshPRoqpXqAsmQsFWKJ2FVg' https://api.example.net/v1/status
docker login --username deploy --password 'glpat-bzppNjVhCnU6NW5vdGyTA3GlxKqcXDaBv3gGfUhsEA.01.1613ug2ox' registry.example.net # gitlab_token_3
curl -fsS -H 'https://hooks.zapier.com/hooks/catch/00662683/fjmwnxj' https://api.example.net/v1/status
curl -fsS -H 'GITEA_TOKEN=643d5e329b14e0394d5ee0fea46ce431e645b612' https://api.example.net/v1/status
curl -fsS -H 'MAILJET_SECRET_KEY=51f6f2be09ae87c72bf835fc6ced7c5b' https://api.example.net/v1/status
docker login --username deploy --password 'pnu_xiNt8PFkKRxIu1e3SY25fQ3gVLonHV8D9g2C' registry.example.net # prefect_api_key
curl -fsS -H 'COINBASE_API_SECRET=ampsLmK72neJrF5cmwBOGPdRb95zJ7W3IZYnIVTlYinH66t9QlIWujGw66NwJMeB' https://api.example.net/v1/status
docker login --username deploy --password 'EAABr073K3tHjkbCL0urR1fiRfBmBRmk5qDDELCnLA50LU0Fik2MO8rp1aEUSIfpU3FU6gtpoi3Ys7u9uTKvUwBfpAU818xNiLy0L2ti3Unc6EsWYCdt9fUMF6A3' registry.example.net # facebook_token
export AZURE_EVENT_GRID_KEY='7D0Lta2yazMe5nd3VNVxGvM+7bhlU4I5xAZEGJuXK/o='
export CREDENTIAL_3='sha256~ow0uNLK6jXpQ4J32qMxPBmaIFolnmEvW-md64eG7xm2'
docker login --username deploy --password 'access_token$production$yrtz7hlppezwud4k$d444bec732fed7784a5beba9ae5049f6' registry.example.net # braintree_token
docker login --username deploy --password 'KoINWbSxSfvWoEb1BCu6NlTZ8cuZVID0qzMqSKZWPCVc6JFyAV7TN3tCtVEtslGkY+hqZWzdVWje+ABayWayRQ==' registry.example.net # azure_batch_key
curl -fsS -H 'DISCORD_BOT_TOKEN=MqruSkMP654OzdwUDYzx0pa8Hz.elhDRj.F6F268dL-WCrekTyGMZ8XswdE3aaFph58hGRvH' https://api.example.net/v1/status
docker login --username deploy --password 'MzKvEH4VZMG15/4IvhXOKIZbTWyL7H8FsAIoTNls2sK=' registry.example.net # azure_iot_key
docker login --username deploy --password 'xoxe.xoxp-1-Yu4IxQSPFsXRe2AgwggzfkrSj8I8BLatcGwRsBe5ZHWah1d6curfi60LnEWTYRuTnKLrmLcfL6K8l8G9q2IEXDDzMGIvBRIYRInQvQbRVl9H1VCfa7tRdMXDrOnFasgXXf8ve7qGvk6ADvM4Vab8VmTkDEmYnaaA' registry.example.net # slack_token_3
docker login --username deploy --password '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' registry.example.net # client_auth_2
curl -fsS -H 'DEEPGRAM_API_KEY=d69dcc64dac4d659f24c8277599f8947d2096d00' https://api.example.net/v1/status
docker login --username deploy --password 'glffct-9wAHYTqL1kOW2EX9I9iK' registry.example.net # gitlab_token_4
docker login --username deploy --password 'USuMBxlLedQ659QvufL48vHeEGIYYHEO/n3lO/Soz6dO3rZ2HEdv5d5Y218GwpeMu9OI3r72JieWACDb3iFNaA==' registry.example.net # azure_cosmos_key
export GITLAB_TOKEN_5='gldt-xH2AvqPDMonFq5u2ylt4'
curl -fsS -H 'AZURE_DEVOPS_PAT=gseib27gq7aijkgxltfok3dzr3cbahj22poum26gtywkz437yqkp' https://api.example.net/v1/status
curl -fsS -H 'IBM_CLOUD_API_KEY=yr_pLEj01XqiIe9IZ6DLuX4O8yh1D68jB1eHtl4vAegF' https://api.example.net/v1/status
export ARTIFACTORY_KEY='AKCp2GROdvbzZbvOaumCZWhSmCFlSQaB9sQpRXdUIznXNPyIuHOD1UqBfj9wftyQiAExGW2aH'
docker login --username deploy --password 'xoxs-5407471135-8900439108-7257084324-822fb3fd0e2b7e7f8466a17244b38b45' registry.example.net # slack_token_4
docker login --username deploy --password 'sb_secret_l9C-BUmwOI43Fx_bv4_7J2KmIhYAnOP' registry.example.net # supabase_key
curl -fsS -H 'MNEMONIC=amount alone absorb actress abstract advice acquire access actual address accuse also' https://api.example.net/v1/status
curl -fsS -H 'LINODE_TOKEN=1210e686618332dfdf801e6ffe84b632d76c9960aa2294cb0e5d63c5065c8b68' https://api.example.net/v1/status
export CLICKUP_TOKEN='pk_62710396_L04Q2RG3K1FOU1DJAPI25W6E5HAX8U6F'
curl -fsS -H 'LOGZIO_TOKEN=mbzpjluxjbnqbozmPQEIUUSNMNFPBUMN' https://api.example.net/v1/status
docker login --username deploy --password '6b207588da7e340796de8bc7de2c12c5f435NRAL' registry.example.net # new_relic_key
curl -fsS -H 'Authorization: Splunk cb2e15cf-9d17-45c3-a7e6-6d82b20fb662' https://api.example.net/v1/status
curl -fsS -H 'DD_APP_KEY=36336f009cd6cc4b0359d0de0c94a871ae27bcb2' https://api.example.net/v1/status
curl -fsS -H 'ETH_PRIVATE_KEY=0x1793ca3c40d0e868b6d0082ff94198b22e6a52f517fb760d84374a7fb39f0b00' https://api.example.net/v1/status
export CARGO_REGISTRY_TOKEN='cio2TVC48gSEZ3OXygBUUlvmaINdH9D3j0N'
export GRAFANA_TOKEN='glc_FU2F+Z9DRl+xwCAWTdf/tVH1oEIEHN8eaoxAhKeJaeAQKhjpXw23qVZc6PVj'
docker login --username deploy --password 'pat-na1-664bd976-93ba-4bef-a93e-628fc71c0ef2' registry.example.net # hubspot_token
export ACCESS_3='NRAK-9WX4M1TZJD8YTMBN93A4M6H0N5Z'
curl -fsS -H 'KRAKEN_PRIVATE_KEY=XP7HZsfW3bW1Y7ifVjAeiWHQ50pzlEnhRozEldMW/tvKo4PWcJLdfFWhnMUgIiqxc8KXlziZqYxAsD16GdQZzT==' https://api.example.net/v1/status
export TYPEFORM_TOKEN='tfp_O9hFEehruBktrqTEwqrtCcftRZNCuZ1sMvSLzgDnrdunmu4VyDYumm3mjSp'
curl -fsS -H 'PAYPAL_CLIENT_SECRET=E29o2u1mX-sz-uBV-FWUsEnrTBOad_2f-POn-bz_LwDiagz5Wz0pBmcX2ARmRWIirdrZNlKJDYzT_rVf' https://api.example.net/v1/status
curl -fsS -H 'https://chat.googleapis.com/v1/spaces/AAAADVAC7Ec/messages?key=AIzaSyUnytD0Sm2Kmd_Ou7fMy4Gb0Ft8qbMlgyo&token=yEty7OlIbJ_801O34x6FYFrTu9Cz6Vz0GJwnlF3jKqN%3D' https://api.example.net/v1/status
export AZURE_FUNCTION_KEY='eHV7twctQNJTlP1m3ZDQrg8zOc5PYPxexYTMakpIz-qdAzFuqsofcw=='
docker login --username deploy --password 'AAAAAAAAAAAAAAAAAAAAASjYGynqBnOcW%3D1nE8XSRnGfrWGkEr0gZmcTEsytGu7rBhhwxsWAknMbd5bMY7oBXirDMu1uLjfm2gmFT1HNiGORd1WuoWEeTZ' registry.example.net # client_auth_3
docker login --username deploy --password 'EZAKahpSUKV6veTRy0IOsao1gwe8EHM1FNHOqaJrF4WweMEpsNB4PHc34Z' registry.example.net # auth_4
curl -fsS -H 'GOCARDLESS_ACCESS_TOKEN=live_vEKY0AeoAyBqq6k830BAGAecGv0F9h_1gh1oRiPc' https://api.example.net/v1/status
curl -fsS -H 'MANDRILL_API_KEY=md-olbpYXfy_NpA1nBuR-CKDm' https://api.example.net/v1/status
docker login --username deploy --password 're_p8hHyDFM_aJpS72DnbX9VRabe3412iCtm' registry.example.net # upstream_auth_6
docker login --username deploy --password 'OGyFrbPxW1U0nE.atlasv1.EFIVIR5aZFu_ZNrLLZibffVNQU1MZzvwKcPRiaEr5VKn1E296_4SeNFvovaEEHSei1v' registry.example.net # terraform_token
export ALIBABA_ACCESS_KEY='LTAIuuQeRJGWij9lMsBccRz9'
curl -fsS -H 'OPSGENIE_API_KEY=be406ae5-8bfb-494e-a915-c670367b06d4' https://api.example.net/v1/status
docker login --username deploy --password 'hbp_HaC2xQNRlIVY8Pjc2eWjKwmRA0XyjNI14Toq' registry.example.net # honeybadger_token
export FIRECRAWL_API_KEY='fc-0aae4ec572050bfa35e37c135cb6858a'
docker login --username deploy --password 'sc_BZUBTnLPuHoJ.vTQAF.acc_gf81YgIwXJsElHRxggC2.gk3nXMqb0NR8xkzc3h_CqynvezgsR8ZS0rZBoppLxBzyNiZP89vWjVVMb3ne' registry.example.net # access_4
export MAXMIND_KEY='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'
export BITBUCKET_TOKEN='ATBBEa9COEEOgIaHAqVkQDjYYmfygIIwvLgzA1EE6D23'
export PINECONE_API_KEY='pcsk_hCCK4v_D7jmzx621teMFKBs2WlfcfCl5IwFkLQH5p7CdVK7qRjUs3Fuq4QQTFBvYPk2Ou5o'
curl -fsS -H 'client-key-data: LS0tLS1CRUdJTih92uy+QxqzUoZTTLrV8BPP96QQ0HADzjL9wff3j+pj/ti22HvvpdKZOlW583VMX5QQlXqmJaT/g+cI+mjSKaSob4QJs2Zg9P2qwm95HXi982UV8FLEIIKsKLhr9W81mqaYjH9HZ7s/VGxHbapz3VwpdlzUqmzILZRo8Z8pwbGWqa3pWdu0WNYoKp9fFpXPfIga8khR454O6BrKOLbQQcTpB6Hr7jOhv3Vqfafqjo0YsIW5DX63TR3O/wfkM/XaJ9eHJjsij5YhA3QkZeuKjngIbacgnRPOh6BA0+bl0lK2SU9+vw4XTVdiKQtlcghAf7Eb/vbwrxaDl5oI46JSGZt2yhdsv/PP2ErH70rBgHUe5U6q2jiW/Np1WrqEJzuBL/nkxtnZ9cJTjZ13qj' https://api.example.net/v1/status
curl -fsS -H 'curl -u admin:PXutH5efdjLDUkGV' https://api.example.net/v1/status
curl -fsS -H 'LINKEDIN_CLIENT_SECRET=FIOpht3r7QDobQoV' https://api.example.net/v1/status
export TWILIO_KEY='SKa83f6469d1992fa07f699e7cb26a6afa'
curl -fsS -H 'HEX_API_KEY=1c93e908953fa9aacbf2b4ebd54173bc' https://api.example.net/v1/status
curl -fsS -H 'STABILITY_API_KEY=sk-cBO4zovh1PIv3bfDTSuqyux8PMLb7UStlbehtcxk7t29Q48b' https://api.example.net/v1/status
docker login --username deploy --password 'NRIQ-frgGDp7h_O-0FtOE5d4_iAvx8NSE6FaG' registry.example.net # newrelic_key
docker login --username deploy --password 'CCIPRJ_m0rF971F7rthIcsPnbUXwT_6d165691aa74b3027214f06f7046480ade1a01d6' registry.example.net # access_5
curl -fsS -H 'https://hooks.slack.com/services/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' https://api.example.net/v1/status
curl -fsS -H 'Authorization: Bearer sopZva4ny3KIQ1JjlP2F_zOY3Q8dMfFbE_u5ZFbG' https://api.example.net/v1/status
export CREDENTIAL_4='NRII-lfqD2FecNg_KbRH7_WAE7J5Fv8cM3WIy'
docker login --username deploy --password 'sl.6w6RMz2NXV5npWz_yc435Ftf4Rdmeme_IQjWrf-wrlBGzMno5YNsxqdX6zyHqCsV7ki3lWxepAW4rr0O4wYgnqyNF9f_-dfhPRSZgMrpfpKwbFU6ScW_b43Aag0srdHBYUIQPkzBn3rW' registry.example.net # dropbox_token
curl -fsS -H 'Authorization: ApiKey vtXJZPXamAmVvzAApP/gW6yVMk8fuk8VFvR6P/PohAwzZaIfwZTSVmJuFF2v/Jk97Z3DeD31r6HjXOJV==' https://api.example.net/v1/status
curl -fsS -H 'MONGODB_ATLAS_PRIVATE_KEY=d0ab46f9-d35d-4f16-a390-2db41bfb54b3' https://api.example.net/v1/status
curl -fsS -H 'GITHUB_CLIENT_SECRET=82f1e3b78157adb695388ff8aa97e36897bdff08' https://api.example.net/v1/status
docker login --username deploy --password 'kubeadm join --token 5cur3w.j9guikp3otql7ifd' registry.example.net # access_6
curl -fsS -H 'ASSEMBLYAI_API_KEY=3885d1ae620ee884d2d508f578380976' https://api.example.net/v1/status
curl -fsS -H 'SCW_SECRET_KEY=e2c523ea-42b7-4799-a2cf-4ced5948fde8' https://api.example.net/v1/status
docker login --username deploy --password 'csk-utx2s8lbliifprjl6hh78pfdnc0pa645try6yoqja8o12lks' registry.example.net # cerebras_api_key
docker login --username deploy --password 'sq0csp-UXvacvPPLWQKjLE8DWDhRsJxSV01_jHsno7CE9GOvxE' registry.example.net # square_token
curl -fsS -H 'TENCENTCLOUD_SECRET_KEY=f4CfeiJjaqfslg5GFIzHrFY6E73jym6y' https://api.example.net/v1/status
export REPLICATE_API_TOKEN='r8_osmJ1bnzF8EERpnaS9m9ShjZvpKC6cUxhoMJ0'
docker login --username deploy --password 'dp.pt.FqRod36DTVKn94Kqu3soEpe6JLwn1esyQXonfvwWKO1' registry.example.net # doppler_token
docker login --username deploy --password 'ico-zrHoejqiRGsi0qRy6o2O4ITJK7EebOZK' registry.example.net # infracost_api_key
export PRIVATE_KEY='-----BEGIN RSA PRIVATE KEY-----
6CqhXyrV3+EbsbKtEm1GS153b3G/ear4iFioEyOecFF5sMEE+237nZw/HZoAKUE/
I8WjMLVm7nTUmwuISxEgFWym//2ztiBRDsY2vqsrDxr/nUE+8UG/1CTsC9CLLsnR
Dp/7pGPu9L5cbqYCF/Zb8M6R4snH4efXCdIhGVJmoMcs5U8ounulRCnTyVbKV0cc
3WBq4F5r7hws+AXLiIoVcgusDktqpw0MHNR1gRcLt92nTlIoZUNzEO67SyxzAqRs
mk80myCeZp0iBiBf3WH88xqzWvsBd9uoAElElqj8ja5txT48+AXRLuwU06BlJh2P
rC5jccOFlm3eFgFwp1uugLzDaFwCb+JJwsIMMuQlu+Ps5BL8ZoeBF7fdQaZGM0uT
SVfSYxv+7EkIv5IIoeOlBSXGZRFMaxHUB7sNQudgZQMoQ/7qPOmbiR1xbi+1HcwI
Yzpt5YJ5jJuyYtPna1rQ7WUDxr1raUJyKlzd7OarDCJDkSti6mwYNpWmQlztlOnQ
FAoxINUDt14ZoZUcxEgAA9DYiojn8EW2ghZygBXgy+ssDWiX6YU9MorZLm5ill9d
a2PJtT3LMUFs96eqwfKXMl/0XYXba793tmotPcXGobCdo2hlMN/L2ygNV7hSbfJI
TjjNel7Lgo50cQcDb4IAbCi34A+IgISWP4M4VdN8VMg0P4kCBL/3C+OZ4eukKZ7s
tVgTNJCUMiSonKw9pCF2ECSI+VdwbzrvWDsTZ/oaD+Kcq84BZZYfvern7H6lhJcE
iyM5jnBcUXox0de6JNRZeb0u69HP0fEe
-----END RSA PRIVATE KEY-----'
docker login --username deploy --password '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' registry.example.net # nvidia_api_key
docker login --username deploy --password 'sbp_218c429eac3fa970a8b307e3beb247548d56ff30' registry.example.net # supabase_token
curl -fsS -H 'OCI_AUTH_TOKEN=AJHcpFLSZ2aLDbECtuw7' https://api.example.net/v1/status
export GITHUB_TOKEN='ghs_GzJgfj9gvsxKYzTaMtYjwxvBqU4gl00UW8Ud'
curl -fsS -H 'JWT_SECRET=9zmK2FEcISHollbp3yUrDIFPPOz18Izi' https://api.example.net/v1/status
export DB_PASSWORD='mysql -u root -p4y1JUce8ctib1Fok'
docker login --username deploy --password 'xprv9s21ZrQH143K8FaL5yCvEcjJ82VCQR2SA78iwkSsrj4f1di26TPfc4bzrmvwM3Drt9HyHdoes4qk8wyCnWc2iMwKxSobgXZD9iSHBbqAxrU' registry.example.net # crypto_private_key_4
docker login --username deploy --password 'HRKU-AAxwrsf1jAZ3nPXXB3WBGh0Wa7hKkfGDljHOcEgHJeRB8QlxQsuvUmb8Lo_E' registry.example.net # heroku_api_key
curl -fsS -H 'ASANA_TOKEN=2/6110993686229358/7021045875183058:53c987c70e801555d6aad5b9860a130b' https://api.example.net/v1/status
docker login --username deploy --password 'sk-ant-api03-ornk0TJC69dUGlMMgSkfCgpjE4r3_ZvXwORl2gqTY1yWgQR5oUkXS1KZdl_RA7XoeS866fVD5rM_m1HrVUdBBlvaeQGIiAA' registry.example.net # credential_5
export CLIENT_AUTH_4='p8e-vIYdDOrKv0buU6NIFWGUgTb2P7svpe15'
curl -fsS -H 'AZURE_OPENAI_API_KEY=489a43a8f6c8659cad90d1dd832b642b' https://api.example.net/v1/status
export PULUMI_TOKEN='pul-8d1c386e812be7a7d0aeef74afcf94e48b9a4fc4'
curl -fsS -H 'ALIBABA_CLOUD_ACCESS_KEY_SECRET=0HR3eupLCE3ozWPJiPDsTlqTo8ayuf' https://api.example.net/v1/status
docker login --username deploy --password 'HVD8Q~hGDeuGY8TGe06SguPWpBHlpKjYrNeej9gz' registry.example.net # credential_6
curl -fsS -H 'ETHERSCAN_API_KEY=KNP441JUHNFCEXP28U0IPV8I6OZ9PGD6N5' https://api.example.net/v1/status
curl -fsS -H 'RAILWAY_TOKEN=ce7b2808-6bef-4929-a7f2-20faaed74a06' https://api.example.net/v1/status
curl -fsS -H 'MIXPANEL_API_SECRET=0332f4b498ef7bb7252c0f68cf19f6fe' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # groq_api_key
docker login --username deploy --password 'xsmtpsib-8fd2e5d09ecc7d596ad4d118c7794a94e86f19b9924e800bf1a3e4034f4fbb31-CPlaUBCWjkGD4hSx' registry.example.net # brevo_key
export FRAMEIO_TOKEN='fio-u-Tt3h3wXs1kJEr5njfATwLW8a5bl3XIPC-1CwarHGD3Ma8ukSWxd9m_3RXqXabM6D'
docker login --username deploy --password 'PMAK-f7b2bbae083409ede9898121-7627d74b2eeada06973494bde95116fd37' registry.example.net # auth_8
export SLACK_TOKEN_5='xoxp-89470577641-33842632191-0151002283008-0b683341cc5312290ec23b4565883d78'
docker login --username deploy --password 'ghu_8y1gCYiF500EJYrpJaSPl9vbTBdVEn2I8RON' registry.example.net # github_token_2
docker login --username deploy --password 'sk-svcacct-iZGhU5axj4a7g8Z56uAq9IQELTtYtxTX-49ExIEtGmjCLbZwZGhYzfYrn9zwMenC4NtgUdsO68sIEBIv2KeAP2NAt8m4-BGJu34S6sQaD9dU80Mh-6qRCNGIj22zD0N58PbEH7WKVOBPVuabgGXXbFzO98xg' registry.example.net # openai_api_key_2
curl -fsS -H 'MAILGUN_SIGNING_KEY=749bc6f917295df0cbf034949c3b4896-5d1ca905-0d411ca8' https://api.example.net/v1/status
docker login --username deploy --password 'fw_3ZCu31ZSzPjpzgMlENaTdOCX' registry.example.net # fireworks_api_key
docker login --username deploy --password 'pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogIjhmOGI4NWEzLWNhMTUtNDZhYS1hZWY2LTBhODE3MjA0YjNlZCJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiBlJJhnziUtXLe_BmSbZ-ARxq4VML1ngmRqnZugs7rJCA' registry.example.net # client_auth_6
curl -fsS -H 'SPARKPOST_API_KEY=64fcf4ab5b426dca0a334314ba7cb4c9b0bb857d' https://api.example.net/v1/status
curl -fsS -H 'POSTMARK_SERVER_TOKEN=0f85c3e8-4bb1-49f0-abcd-9e716107b727' https://api.example.net/v1/status
export MAILGUN_API_KEY_2='key-b16fdc65d7c43ecdfe816590fcac9182'
curl -fsS -H 'UPSTASH_REDIS_REST_TOKEN=AXBqAdCrHThh5mvdyTMMAQ7Z43d-2spA8zFnR5oTMchCURLzmfrFJmaLsVzHnc' https://api.example.net/v1/status
curl -fsS -H 'TWITTER_API_SECRET=OgfTVAhC5cbUzRoV5UOM1EdrYFru8ILM4Jbm0dZVrn5Plct5bp' https://api.example.net/v1/status
docker login --username deploy --password 'sk-ant-admin01-xd4iVPwBNSfXvQAk52Y7583AXl_uuVDtlzL51q0axl7BmWWV23qYBF0_nNgcARi45CK86GXrLa3Or2MMDVL97o1EEaE9yAA' registry.example.net # anthropic_api_key
export UPSTREAM_AUTH_8='dor_v1_befbb3f5c3443f9d994a622c1b1a4891113de3a1d4ede79166f7182919d85e7e'
curl -fsS -H 'SNOWFLAKE_PASSWORD=F63hXBFUvj1oWw8I98cf9mjB' https://api.example.net/v1/status
docker login --username deploy --password 'sshpass -p 9bUM50jPs5qNiEY0' registry.example.net # password_2
docker login --username deploy --password 'hvr.q48yM9rzAep_3doGw2IoOJMyL_FiF1' registry.example.net # vault_token_2
export AZURE_KEY='GCO2BryKyXaZIzW0XlTMX3IfbqwrAq4zIwk1VpjOR6xIYPy3wk0hJQQJ99vBpLbCkNNOaVaeCKPYCCrXUplW'
curl -fsS -H '_gitlab_session=f25bb06635fcf79d7c1c930223ccb8c3' https://api.example.net/v1/status
docker login --username deploy --password 'machine api.example.com login deploy password wZeqWy1Hh57v0h6AbSSI' registry.example.net # password_3
curl -fsS -H 'HUAWEICLOUD_SDK_SK=FqFjWSUm93nkjBLv1cLREBuvH762OLo9jUC9C9wU' https://api.example.net/v1/status
curl -fsS -H 'SUMOLOGIC_ACCESS_KEY=Imd58xVoh3Mr3dA2lFpN9L8Clm4rIY0AbLUmprFfRi8MU5smqAWGRcHYvrvzaMMx' https://api.example.net/v1/status
curl -fsS -H 'VAULT_TOKEN=s.HB45qvBrMdNiax4lSFJFWuvn' https://api.example.net/v1/status
export GITHUB_TOKEN_3='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'
curl -fsS -H 'ALCHEMY_API_KEY=S461RZDSy0cj4l3kOJMgcf8In1NcYqn8' https://api.example.net/v1/status
docker login --username deploy --password 'kFbV4YbQx+nmHvdLtSDGpOlC+SueLEs9T4jZBcJjUsxhK11/1PDN7DZ3Oq92BbUDVVnYZHtvyCTEAPIM6Yx8Bg==' registry.example.net # upstream_auth_9
docker login --username deploy --password 'glptt-3bd0ee2a879a8d7687408240affa8c3224419c4a' registry.example.net # gitlab_token_6
curl -fsS -H 'ENCRYPTION_KEY=fd61c429a651f5ddd5202c411c422d7d0b488b28a0b20d97edc92aacf39d265b' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # tavily_api_key
docker login --username deploy --password 'AKIDCPCuGmCqFCxdOee7MOw9JaGXJu2JhQRh' registry.example.net # tencent_secret_id
export LANGFUSE_KEY='sk-lf-38880837-113f-409a-a6df-c2f4c3e63299'
export NUGET_API_KEY='oy2la0ug9duinh3v9msaqg5lvsaqapkejjdjr4dax000kq'
docker login --username deploy --password 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLWs4dnFicGx5aGR5cSIsImlhdCI6MTcyMDExNDU1MX0.MYD_cptrJaXM2zp2kQSZ1xmQyhwcVPoWs7VCN2IWfP0' registry.example.net # jwt
docker login --username deploy --password 'ywWGSrw79kzcjTCAxiMQO5CsBSHZbdVj+nsUBDLi6edlrduzA8X4HgtqPpnGFM9EolUAlMj/8h8q+AStc8OdaA==' registry.example.net # azure_storage_key
curl -fsS -H 'JENKINS_API_TOKEN=116a407103898953e709e75f3f18441511' https://api.example.net/v1/status
docker login --username deploy --password 'EAAAWQQ2VWaAiCLTG_5RQFzHS5zlSENO1Vqh4wY6nDT66sD3mQoDNTxSlR1N9Dly' registry.example.net # square_token_2
export MAILCHIMP_API_KEY='491287046d0e284cb326672b73e4b624-us29'
docker login --username deploy --password 'dckr_oat_1CkdNOmVQOsw-lN0qq9cX_P_0dVpZGiA' registry.example.net # docker_token
curl -fsS -H 'TWITCH_OAUTH_TOKEN=fya8wlrdwvct07ejmq9db03e0ya6k9' https://api.example.net/v1/status
export DIGITALOCEAN_TOKEN_2='dop_v1_a8cb7fcf8b62c567ba6b34aadca076c75d97c6030d25969e73aed9c1cd840be3'
curl -fsS -H 'INFURA_API_KEY=6ccd8e177cb98b0102da14e2610d952f' https://api.example.net/v1/status
docker login --username deploy --password 'CCIPAT_LfSxwvx4jVmoR9cxNsRCya_ef55dee3d3d507410c16a0b85e0df8e08059dbdc' registry.example.net # upstream_auth_10
curl -fsS -H 'ELEVENLABS_API_KEY=sk_4f36dafb5f9049fbb0553bbb116fdf54b08c55210010a781' https://api.example.net/v1/status
docker login --username deploy --password 'gloas-mt6ZaYBId0Js6sBTK7sekN7FnuuzGmDiaqVxHvKPxV92PKS6u4UdgrhC7xOghsT9' registry.example.net # auth_10
