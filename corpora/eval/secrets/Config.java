package com.example.orders;

public final class Config {
    private static final String UPSTREAM_AUTH = "glpat-ASxIK_3twMV7fkWIK9Bz";
    private static final String JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1XzZmZTVjZDdlNWEiLCJpYXQiOjE3MjI4MDQyOTUsImV4cCI6MTcyMjgwNzg5NX0.EfMfkJb2vCc_LKChkIlgBtTe8UYb0IFUDyPa1YtUkUl";
    private static final String CREDENTIAL = "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";
    private static final String SENDGRID_API_KEY = "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";
    private static final String HEADER_4 = "Authorization: Bearer -UL8orlQI996lLGE6SsS-FBTa6pkFWNidPxwlBXG";
    private static final String AGE_SECRET_KEY = "AGE-SECRET-KEY-17D7ZQFQ2K9MPCGVNL4KPXWD8SQ5H8WUPSVGAR6MG9SK0DA3VJ68M302D8Z";
    private static final String ATLASSIAN_TOKEN = "ATATT36NgVVii0ZzWO_Xbe9RS3o5zPHho4vlKl6Bl6-8EXs1u0CNqmbZwaSOinCo1c993s0vK-Kn6U5BuXw-Zj_I8xU5T7IHnN1MDCCk-XFiYFsUDSgw7Amo8VVFhOEferVWMM_-CDn2aXhx6zmSYvVWrB2YsyJsVSVDGauQfW1MBOU4MshUiAzd-L=0799381F";
    private static final String GITHUB_TOKEN = "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";
    private static final String GITHUB_TOKEN = "ghs_EJOrwQZunqKnqNjCWAdglHzVIZihse35p3wC";
    private static final String GITHUB_TOKEN = "ghu_HTzkkyMsB0vRA3Ul8Gv9TgJAxoquw809bs08";
    private static final String ACCESS = "lin_api_7VYWWqYaosMKftGIeIQLkX2hwE461X5uQCgWuJF3";
    private static final String ACCESS = "AKIACCH23KYPL5UOGBX6";
    private static final String TWILIO_KEY = "SK89658389d1bf4e4dacf662368db11c00";
    private static final String HEADER_13 = "password=FIu7%4CTk8in8F2";
    private static final String HUGGINGFACE_TOKEN = "hf_ElJsYUQvxRTT43CifwL1wcAZg0EEJvFhUt";
    private static final String GOOGLE_API_KEY = "AIzaQ8srvfvIgwYelSF6GfyZG5w3sHRCuQvqoF7";
    static final String ACCESS = """
-----BEGIN PRIVATE KEY-----
te7l5YiuK4fGuRltjevNvkNpRvHJSMzHXi5k5jdKuTDTwnzAZd4cTf1OgthqAILh
JgifOJuEEpfdkfE9jE+zaqBLV49rL8UMuaYZ/dYXoFJVDHVdUmk30VkT0ZLlwHYL
faELEZhx1PDYi+WiEqqzL2qOp2w7j4ttlaza3b1M1FAruQs++zSpQ/7MI/+SRKND
jHUFkWyCFPVE4clT5NAXDslT92WEIiUl+6CrXgyQpoY+ZHwiJWelW2NlzC1GHEXn
/rqBXYLYONm03F6/yyrp/tCYxS4shrN3EKqlyfX+4PMFpL9KJijvEHydPrMVH5Rw
EMuJaazR1yOpOGMU5K3UVbHBRZV8NysFmYj+BFVl+ewyTAEWjlRvPh+8NLALpTDd
XIEdwlvYAi9KVrrfqrhTF+ZA==
-----END PRIVATE KEY-----""";
    private static final String GITHUB_TOKEN = "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";
    private static final String DIGITALOCEAN_TOKEN = "dop_v1_7c069257a2527870b8f536e428cc29744bec758e30b425e7cbd7df67f4771466";
    private static final String NPM_TOKEN = "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";
    private static final String GITHUB_TOKEN = "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";
    private static final String HEADER_21 = "aws_secret_access_key = sJC7mI/7cCluPh4a1E9xDwBBmvf2MRJ+vGkHxHGY";
    private static final String AUTH = "sk-ant-api03-l-W6udhdUYj3QIdcoaDbgFeFwavisCQi8vsRLbQzT0u9hprznenz5VMqLlWk5YxDp1GJ0gwneZ7XQzUhEpeMRe5BYL7eSAA";
    private static final String SLACK_TOKEN = "xoxb-27370098746-3098931618808-OOdjvw11W8D5kuRSGei0kCWG";
    private static final String SHOPIFY_TOKEN = "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";
    private static final String STRIPE_KEY = "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";
}
