import { defineConfig } from './define';

export const services = {
  svc0: { githubToken: "ghs_E8YUXIkDDZmdkQt7dDLYnYXZuUa6LW4JPfhy", retries: 3 },
  svc1: { twilioKey: "SK7d6777b7030dd37bcbe4699cfeae44ce", retries: 3 },
  svc2: { jwt: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1XzhiNTAwYzcwNzQiLCJpYXQiOjE3MTk3MDMxNTUsImV4cCI6MTcxOTcwNjc1NX0.ATu4pnH3GDimgOphpU4n5kilipWZwnoQBLOmfrybqCk", retries: 3 },
  svc3: { credential: "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", retries: 3 },
  svc4: { githubToken: "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", retries: 3 },
  svc5: { atlassianToken: "ATATT3ZQO4XcoFSdKqlOYaeIWmB-PsybqJwr_V_k2hDGu8ETKUvWd9VId31wYy2zqt2gdKJjsmsqZYFNjn7UfiT0LzmlNNZmpDZUR4tCHu0LfjuAP1GU_D2KtoIYFU8YCeg9DAZNI5hh4iFJkcqpy1oZoIEBawFpN__75aRxgHZf65luEBxtAkQ6C5=43385082", retries: 3 },
  svc6: { upstreamAuth: "dop_v1_66a32d1e01e0d712a4e7c0d2abeeedd725dbc878490d563e4244cabe11be5872", retries: 3 },
  svc7: { githubToken: "ghu_E0gazKRWwXO14mHoXivnEFX8MH7OH84X7G20", retries: 3 },
  svc8: { githubToken: "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", retries: 3 },
  svc9: { npmToken: "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", retries: 3 },
  svc10: { huggingfaceToken: "hf_XS3LJfBa4N62tU5qx454F6MpZe2nb7OMg2", retries: 3 },
  svc11: { sendgridApiKey: "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", retries: 3 },
  svc12: { githubToken: "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", retries: 3 },
  svc13: { slackToken: "xoxb-87700193799-3621246592323-PoT9YE0mzXMmSpbsZhC7MN9P", retries: 3 },
  svc14: { ageSecretKey: "AGE-SECRET-KEY-13LACZ9CWUSUDZ0XN20672H2X7T5CZGWE5D0C8RKZR7FY629DXDD89DD04L", retries: 3 },
  svc15: { anthropicApiKey: "sk-ant-api03-QYwQiHpq4ap-RgPTeCRM7UAGiGPXJS98cpAfuN_Kc4pE-nT-3DRGS5WPks-JS7sDKRT7uPNBXYn-Hi2AQbOpx02TXcA3OAA", retries: 3 },
  svc16: { linearApiKey: "lin_api_zXxhrIaEvN9e7l4WkOzuxY6OHIaeq2PqE9mWa7PX", retries: 3 },
  svc17: { privateKey: `-----BEGIN PRIVATE KEY-----
u2iQuU+CGrqDULZUnqj/CDN5A5fEZt1mYUVdJh0T+HMbBUKA0fx7iDLcRGcJqRF9
ypBa78+DjlvKEqlg1wdasFd4kci2YXm7xgEqUiUwUaIsubiKaer7Vl6iLqwZ7lDP
1Wjjv2Bn0Afh3nexq4BkSVfgfv65fP56U3kbvzQLGH41uEo8kXwqZgtsFQ+rGpu8
V2ZNzzfdbGPiGeEnbgDvyc3keuJ1aPfme9sIb8OKCzga2IMVQfn+GOTWi/AkUjGq
GgdjcHB7L4mlzGgwU4XosvQccpue5goHAmFkwtsr8qU3jL/aiHOuAyIOImd07Lc/
w218bbd8O9b/4cO0JBRGEWT3/GqjuzsK/vrqJdQhBcGRD63PAa7UIDkNULbSi1sB
2RciivM3A2dijfotDJiHic5I==
-----END PRIVATE KEY-----`, retries: 3 },
  svc18: { header18: "Authorization: Bearer LItw-O-HkiTuAfROF4--XAsKx9p6Xt78WxTkuFgE", retries: 3 },
  svc19: { stripeKey: "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", retries: 3 },
  svc20: { githubToken: "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", retries: 3 },
  svc21: { gitlabToken: "glpat-Zh_zokriQV3RPYASQIuc", retries: 3 },
  svc22: { googleApiKey: "AIzaZDob7AKCaJxw33BQazq8QIMenZLBBBmazaF", retries: 3 },
  svc23: { clientAuth: "AKIA5FI5N2CG3OQQM6NP", retries: 3 },
  svc24: { header24: "aws_secret_access_key = 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", retries: 3 },
  svc25: { header25: "password=xVPY%xdq8sjnFa6", retries: 3 },
};

export default defineConfig(services);
