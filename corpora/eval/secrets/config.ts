import { defineConfig } from './define';

export const services = {
  svc0: { linearApiKey: "lin_api_mC6CuuNxalTwnNcf2tBE20We8NOM4ZjPFY270KWf", retries: 3 },
  svc1: { credential: "ghs_YWkoJd1UJ0nefOufkAf9xVEBwU4TTB1k1PUI", retries: 3 },
  svc2: { githubToken: "ghu_yQ3Ows5uO2MqRqavKnzVtrphIovZho0PWCZ6", retries: 3 },
  svc3: { twilioKey: "SK18322ffb5bc468eedced643ed422d3a7", retries: 3 },
  svc4: { credential2: "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", retries: 3 },
  svc5: { ageSecretKey: "AGE-SECRET-KEY-1CCCPYFE46ZDAPPE0QSKYSWFMYFGF7AXU7VZHP30RCW8ER3W7RSM9LTSLAZ", retries: 3 },
  svc6: { sendgridApiKey: "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", retries: 3 },
  svc7: { shopifyToken: "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", retries: 3 },
  svc8: { anthropicApiKey: "sk-ant-api03-Vi0_ZRclKDN8ulUetTnNfWSFszbomvGDQ2-538odDIlGgeWfQPLMxRB6J0BGYXj1xeCEzV2VVBPG0cAKr3A71LsmGJKdpAA", retries: 3 },
  svc9: { header9: "aws_secret_access_key = GkwkHX1sZ+RgkM5NOTrP/xAV21LBANJb4XzGzuGw", retries: 3 },
  svc10: { githubToken2: "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", retries: 3 },
  svc11: { githubToken3: "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", retries: 3 },
  svc12: { digitaloceanToken: "dop_v1_8f6638922a950dc5eebc7905ddfddf238a7d1d173309b12039ce4d3ffcfd0f04", retries: 3 },
  svc13: { githubToken4: "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", retries: 3 },
  svc14: { awsAccessKeyId: "AKIA6VVE36CPCWQLJUSU", retries: 3 },
  svc15: { huggingfaceToken: "hf_nSMBcVoeFKzuC54AfySy5P5oE2lpTbEHj7", retries: 3 },
};

export default defineConfig(services);
