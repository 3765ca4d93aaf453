"""Notice bodies: Markdown rendered, then sanitised; no raw HTML survives."""

import re

from notices.rendering import plain_text, render_markdown


def test_headings_lists_links_and_tables_are_rendered():
    html = render_markdown(
        "# 一、自查流程\n\n1. 登录\n2. 核对\n\n[学信网](https://www.chsi.com.cn)\n\n"
        "| 项目 | 时间 |\n|:--|--:|\n| 自查 | 10月23日 |\n"
    )

    assert "<h2>一、自查流程</h2>" in html  # the page's <h1> is the title
    assert "<ol>" in html and "<li>登录</li>" in html
    assert '<a href="https://www.chsi.com.cn" rel="noopener noreferrer">学信网</a>' in html
    assert '<td align="right">10月23日</td>' in html


def test_raw_html_is_shown_as_text_never_run():
    html = render_markdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">')

    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html


def test_javascript_links_lose_their_target():
    html = render_markdown("[点我](javascript:alert(1))")

    assert "javascript:" not in html
    assert "点我" in html


def test_autolinks_of_the_seeds_work():
    html = render_markdown("网址：<http://www.chsi.com.cn> 邮箱：<kefu@chsi.com.cn>")

    assert 'href="http://www.chsi.com.cn"' in html
    assert "kefu@chsi.com.cn" in html


def test_style_and_event_attributes_are_dropped():
    html = render_markdown('[a](https://a.example "t"){: onclick="x"}')

    assert not re.search(r"<[^>]*onclick", html)


def test_plain_text_has_no_markup():
    assert plain_text("## 标题\n\n**重要**") == "标题\n重要"
