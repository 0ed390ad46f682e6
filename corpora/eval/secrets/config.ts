import { defineConfig } from './define';

export const services = {
  svc0: { awsAccessKeyId: "AKIAAX37AC7VPXAGHY23", retries: 3 },
  svc1: { githubToken: "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", retries: 3 },
  svc2: { digitaloceanToken: "dop_v1_95b893c360e0969e90b9d3136339a1c20b7893c4f974a0f38d594a617d08a3fd", retries: 3 },
  svc3: { shopifyToken: "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", retries: 3 },
  svc4: { linearApiKey: "lin_api_9q5fsDbNP0Yf4qoeZGaw3cbnoQ4tdh8qo21LxV17", retries: 3 },
  svc5: { anthropicApiKey: "sk-ant-api03-eO7HWbqMGXgPuO8Tg-bo_YLXYj89ZEWcgMjzhPNP4LW4Cxho--7_r02k3liOQGpIf7Vaw3SYec3O2KNZh2u4ZH8n5ZYoWAA", retries: 3 },
  svc6: { githubToken2: "ghs_t4EWzyriyQqtkpoUsWKCjVYmko0zAm0BEt1m", retries: 3 },
  svc7: { githubToken3: "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", retries: 3 },
  svc8: { ageSecretKey: "AGE-SECRET-KEY-19RE6LQ7CXSTGTVV0VESDK4NAKHJ9G9S87PJE4EL88V3MFESVJRSQHYTGVR", retries: 3 },
  svc9: { sendgridApiKey: "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", retries: 3 },
  svc10: { githubToken4: "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", retries: 3 },
  svc11: { twilioKey: "SK021c52b51049a850260f704f5487edb2", retries: 3 },
  svc12: { huggingfaceToken: "hf_f6AiJcXf7bzfZ0YmQWOgokkxPoGsFfHLvw", retries: 3 },
  svc13: { githubToken5: "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", retries: 3 },
  svc14: { githubToken6: "ghu_nXFanuqkbepNrjBME8Et41plt9qF2m23MS0c", retries: 3 },
  svc15: { header15: "aws_secret_access_key = 4h+eztFYUF/Cfjf4pmDKsWc78Ji79Nhyy754Mwgi", retries: 3 },
};

export default defineConfig(services);
