"""End-to-end: the official openai and anthropic Python SDKs against blackbar's proxy.

Run by tests/proxy_sdk.rs with PROXY_URL pointing at a proxy in front of the fake upstream of
tests/support/llm.rs, whose answers echo the request's placeholders (see that file). Every
check must see the real values restored, streamed and not, in text and in tool-call
arguments; a canary must stop the answer with an SDK error. Exits non-zero on any failure.
"""

import json
import os
import sys

import anthropic
import openai

PROXY = os.environ["PROXY_URL"]
CANARY = os.environ["CANARY"]
VALUES = [
    "alice.smith@example.com",
    "4111 1111 1111 1111",
    "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",
    'Q<a"b\\c>',
    "+1 415 555 0132",
    # Secrets in prose, documentation credentials and a 9xx (ITIN-shaped) SSN: low confidence
    # in logs, but nothing shaped like a credential or an identifier may reach a provider.
    "AKIAQ3EGRZ4XWMJ7VN2K",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8w2LpKEY",
    "Tr0ub4dor#3xQ",
    "AKIAIOSFODNN7EXAMPLE",
    "xoxb-00000-00000-EXAMPLENOTAREALTOKEN",
    "912-34-5678",
]
PROMPT = (
    f"Mail {VALUES[0]}, card {VALUES[1]}. Token {VALUES[2]} and {VALUES[3]}. "
    f"Call {VALUES[4]}. Deploy credentials on file: AWS access key {VALUES[5]} with secret "
    f"{VALUES[6]}. My password is {VALUES[7]}. The docs use {VALUES[8]} and the bot token "
    f"{VALUES[9]}; tax id {VALUES[10]}."
)
TOOL = {"x-fake-tool": "1", "x-fake-split": "every"}

passed = 0
failed = 0


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print(f"ok   {name}")
    except Exception as e:  # noqa: BLE001 - report every failure and go on
        failed += 1
        print(f"FAIL {name}: {type(e).__name__}: {e}")


def text_ok(text):
    assert "Values: " in text, text
    for v in VALUES:
        assert v in text, f"{v!r} not restored in {text!r}"
    assert "_1]" not in text, f"a placeholder reached the client: {text!r}"


def args_ok(args):
    value = json.loads(args) if isinstance(args, str) else args
    assert sorted(value["to"].split(" | ")) == sorted(VALUES), value


oai = openai.OpenAI(base_url=f"{PROXY}/v1", api_key="sk-test", max_retries=0)
ant = anthropic.Anthropic(base_url=f"{PROXY}/anthropic", api_key="sk-ant-test", max_retries=0)
tools = [{"type": "function", "function": {"name": "send", "parameters": {"type": "object"}}}]


def chat_whole():
    r = oai.chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": PROMPT}], tools=tools,
        extra_headers=TOOL)
    text_ok(r.choices[0].message.content)
    args_ok(r.choices[0].message.tool_calls[0].function.arguments)


def chat_stream():
    text, args = "", ""
    for chunk in oai.chat.completions.create(
            model="gpt-test", messages=[{"role": "user", "content": PROMPT}], tools=tools,
            stream=True, stream_options={"include_usage": True}, extra_headers=TOOL):
        for c in chunk.choices:
            text += c.delta.content or ""
            for call in c.delta.tool_calls or []:
                args += call.function.arguments or ""
    text_ok(text)
    args_ok(args)


def chat_canary():
    try:
        for _ in oai.chat.completions.create(
                model="gpt-test", messages=[{"role": "user", "content": PROMPT}], stream=True,
                extra_headers={"x-fake-extra": f"-leaked-{CANARY}", "x-fake-split": "every"}):
            pass
    except openai.APIError as e:
        assert CANARY not in str(e)
        assert "canary" in str(e), e
        return
    raise AssertionError("the canary did not stop the stream")


def completions_whole():
    r = oai.completions.create(model="gpt-test", prompt=PROMPT)
    text_ok(r.choices[0].text)


def responses_whole():
    r = oai.responses.create(model="gpt-test", input=PROMPT, instructions=PROMPT,
                             tools=[{"type": "function", "name": "send", "parameters": {"type": "object"}}],
                             extra_headers=TOOL)
    text_ok(r.output_text)
    assert r.instructions == PROMPT, r.instructions  # an echoed field, restored
    calls = [o for o in r.output if o.type == "function_call"]
    args_ok(calls[0].arguments)


def responses_stream():
    text, args, final = "", "", None
    for ev in oai.responses.create(model="gpt-test", input=PROMPT, stream=True,
                                   extra_headers=TOOL):
        if ev.type == "response.output_text.delta":
            text += ev.delta
        elif ev.type == "response.function_call_arguments.delta":
            args += ev.delta
        elif ev.type == "response.completed":
            final = ev.response
    text_ok(text)
    args_ok(args)
    assert final is not None and final.output_text == text


def messages_whole():
    r = ant.messages.create(model="claude-test", max_tokens=100, system=PROMPT,
                            messages=[{"role": "user", "content": PROMPT}], extra_headers=TOOL)
    text_ok(r.content[0].text)
    args_ok(r.content[1].input)


def messages_stream():
    with ant.messages.stream(model="claude-test", max_tokens=100,
                             messages=[{"role": "user", "content": PROMPT}],
                             extra_headers=TOOL) as s:
        text = "".join(s.text_stream)
        final = s.get_final_message()
    text_ok(text)
    text_ok(final.content[0].text)
    # The SDK parsed the streamed partial_json itself: restored values stayed valid JSON.
    args_ok(final.content[1].input)


def messages_canary():
    try:
        with ant.messages.stream(model="claude-test", max_tokens=100,
                                 messages=[{"role": "user", "content": PROMPT}],
                                 extra_headers={"x-fake-extra": f"-leaked-{CANARY}"}) as s:
            for _ in s.text_stream:
                pass
    except anthropic.APIError as e:
        assert CANARY not in str(e)
        assert "canary" in str(e), e
        return
    raise AssertionError("the canary did not stop the stream")


for name, fn in [
    ("openai chat.completions", chat_whole),
    ("openai chat.completions stream", chat_stream),
    ("openai chat.completions stream canary", chat_canary),
    ("openai completions", completions_whole),
    ("openai responses", responses_whole),
    ("openai responses stream", responses_stream),
    ("anthropic messages", messages_whole),
    ("anthropic messages stream", messages_stream),
    ("anthropic messages stream canary", messages_canary),
]:
    check(name, fn)

print(f"sdk: {passed} passed, {failed} failed")
print(f"openai {openai.__version__}, anthropic {anthropic.__version__}")
sys.exit(1 if failed else 0)
