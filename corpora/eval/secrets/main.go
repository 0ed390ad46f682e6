package main

import "net/http"

func newRequest0(req *http.Request) {
	req.Header.Set("X-UpstreamAuth", "dop_v1_7fc39b4c01044f622b88369b993367726881c96fb4c9b119e7e44d796cb76e53")
}

const awsAccessKeyId = "AKIATXTRIIIEW4DWCWKG"

func newRequest2(req *http.Request) {
	req.Header.Set("X-UpstreamAuth", "AIzaArYlq2-1k6Y_VjRTfrUD9UL2iZ45li_W3hf")
}

func newRequest3(req *http.Request) {
	req.Header.Set("X-GithubToken", "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")
}

var header4 = "password=ngGRc9_cOneDFP1"

const stripeKey = "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"

func newRequest6(req *http.Request) {
	req.Header.Set("X-Auth", "AGE-SECRET-KEY-1HEC7PTGQF2E80GK56JZJPFXY77ZXF9HLWJXUXLUGT68WGRSU7GUYE24J2L")
}

func newRequest7(req *http.Request) {
	req.Header.Set("X-GithubToken", "ghu_TGfY14haUB18deaepkqI8NzU5uLTBz467nob")
}

const auth = "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"

var header9 = "Authorization: Bearer wAb-A2hID_-V3ylGjfHop_yOjyXrYnjRaIxTJ8Or"

func newRequest10(req *http.Request) {
	req.Header.Set("X-LinearApiKey", "lin_api_HLhQt8ffDsR9FwDVDr8GFoM8mnbJRnZWVNl2rau2")
}

const upstreamAuth = "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"

func newRequest12(req *http.Request) {
	req.Header.Set("X-TwilioKey", "SK12559256e76e3e16f97cd8726df15e69")
}

const npmToken = "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"

func newRequest14(req *http.Request) {
	req.Header.Set("X-HuggingfaceToken", "hf_hrc0FEpAXpXgPk5yx3IeQwqDNIldEQDgE4")
}

func newRequest15(req *http.Request) {
	req.Header.Set("X-PrivateKey", `-----BEGIN PRIVATE KEY-----
b4/xXt1ZFhyIOBpIh0o8QTH/uTqLMaptBmWl+Di88aFpzxzlMRT2n8INB+/Y7VQA
vFd0mgS+MpY7qd+4c0P4QA/OHYWkRmUIrJCu7j79NJUqraauPIqYt2hk6/01yeHh
4MbdQqgMPxH9QfxLVT9B6t9mdXTFPVzvCePm4bBIZ5ETY8lK3zeP/76rT2d0wgOg
hP7c9icbBgu8AhqSg9WPXAv5wMs8TdRk7ZrRGpIgeD9ipFmf6mNOjtIqtdQ9cIPu
7SM4X3S/YcxgrJ08/2HSN/KyLCu9UJMEHLCx7EESaDf1Ae/ke9FE1XpRclUro3x/
ZYvX18A1Fwb+zaCGWZSD6mXTRW9PYJ3/Pdg0N+X1QWwNyMrch4NPeZYjrn6SEWHo
sNlAmCLYgi8JQkxvA625Ag9s==
-----END PRIVATE KEY-----`)
}

const atlassianToken = "ATATT3QzGY8GVd3S1Eb-OD013o80kfJSJAVKx-OP9lnRCvQu4Db78zA8CFk299e0w5FSINhumWf9mybJ9-JmDtpfYIoDcGroUA24k3KGwaM2h3v9x2jRW-MsNC_VPGtLAPY97KIo-Z9oId163svx1lbVT5ZxVqhzlw9oUgxOrtOACQF9M2QLJmKADp=A5C0E951"

const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1XzY5MzZiYzU5ZmQiLCJpYXQiOjE3MDQ0NTY2OTksImV4cCI6MTcwNDQ2MDI5OX0.ApT2rFeLUUKmM1qrTw9SJQKhYv4sX27py2pHu7c-y5v"

var header18 = "aws_secret_access_key = lt7iYVKImlkH/8qq9W+A0GvqHqfFAdzUSLVxoUBT"

func newRequest19(req *http.Request) {
	req.Header.Set("X-SendgridApiKey", "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")
}

func newRequest20(req *http.Request) {
	req.Header.Set("X-GithubToken", "ghs_gM8DTMyXnJUxGNgxPVjzAYBTSV2ykW1Nhcvl")
}

const githubToken = "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"

const gitlabToken = "glpat-QX6_Z2d8fRjNR-j7GGTw"

func newRequest23(req *http.Request) {
	req.Header.Set("X-AnthropicApiKey", "sk-ant-api03-cifo7jEwg7CDHXBH8NdcI4N0UY5qgYubYq1S3ZuqvTabdHLZHhTzlg6X5C7dUzfo3EWA3FQesyxrCmJF5T8_w2DPBQlSZAA")
}

func newRequest24(req *http.Request) {
	req.Header.Set("X-SlackToken", "xoxb-17749968396-9419799545686-tfxNXyUgTOlYsm3rpR9EE0P0")
}

const githubToken = "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"

