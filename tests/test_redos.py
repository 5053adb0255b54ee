"""RL142 regex-redos: the pattern analyzer (redline.rules.predicates.redos) and the rule in
Python, JavaScript/TypeScript and Java."""

from __future__ import annotations

import time

import pytest

from redline.pipeline import analyze_text
from redline.rules.predicates.redos import MAX_PATTERN, analyze

CATASTROPHIC = [
    (r"(a+)+", "(a+)+"),
    (r"(a*)*", "(a*)*"),
    (r"(a|a)*", "(a|a)*"),
    (r"^(\w+\s?)*$", r"(\w+\s?)*"),
    (r"(.*a){8}", "(.*a){8}"),
    (r"(x+x+)+y", "(x+x+)+"),
    (r"^([a-z]+\d*)+$", r"([a-z]+\d*)+"),
    (r"(\w|\d)+", r"(\w|\d)+"),
    (r"(.|\s)*", r"(.|\s)*"),
    (r"(a+|b)+c", "(a+|b)+"),
    (r"((ab)+)+", "((ab)+)+"),
    (r"(?:[^,]*,?)*$", "(?:[^,]*,?)*"),
    (r"(?P<w>\w+\s*)+$", r"(?P<w>\w+\s*)+"),
    (r"^(\d+)*$", r"(\d+)*"),
    (r"([\s\S]*x){3,}", r"([\s\S]*x){3,}"),
    (r"^(\.([a-z]+-*)*)+$", "([a-z]+-*)*"),  # the innermost group to blame
    (r"(?:.|\n|\r)*", r"(?:.|\n|\r)*"),
]

SAFE = [
    r"(a+b)+",  # every iteration ends on a character the inner repeat cannot take
    r"^\d+$",
    r"(\d+\.){3}\d+",
    r"(\w+\.)*\w+",
    r"\w+(?:\s\w+)*",
    r"(?>a+)+",  # atomic
    r"(a++)+",  # possessive
    r"(a|b)*",
    r"(ab|cd)+",
    r"(a|ab)*c",
    r"(\s*,\s*\w+)*",
    r"^(a+)?$",  # the group is not repeated
    r"(a+){1}",
    r"[(+*]+",  # quantifier characters inside a class
    r"\(a+\)+",  # escaped parentheses
    r"(?=a+)+",  # a lookaround matches nothing
    r"{{(.*?)}}",
    r'(?:\s+"(?:[^"\\]|\\.)*")+',  # quoted strings with escapes: `\.` takes `"` only after `\`
    r"(?:\s+\w+(?:\s*=\s*(?:[^\s=]+|'[^']*'))?)*",  # the ambiguity needs the inner repeat's path (`=`)
]


@pytest.mark.parametrize("pattern,group", CATASTROPHIC)
def test_ambiguous_repeats_are_found(pattern, group):
    found = analyze(pattern)
    assert found is not None, pattern
    assert pattern[found[0] : found[1]] == group


@pytest.mark.parametrize("pattern", SAFE)
def test_unambiguous_patterns_are_not(pattern):
    assert analyze(pattern) is None


@pytest.mark.parametrize("pattern", ["(", "(a", "a)", "[a-", "*a", "(?", "\\", "(?P<x", "a{2,1}x(", "[z-a]"])
def test_unreadable_patterns_give_no_finding_and_no_error(pattern):
    assert analyze(pattern) is None


def test_analysis_is_bounded():
    patterns = [
        "(" * 500 + "a+" + ")+" * 500,  # deeper than MAX_DEPTH
        "(" + "".join(f"({chr(97 + i % 26)}+{chr(98 + i % 20)})" for i in range(500)) + ")+",
        "(a|" * 1000,
        "a{1,2}" * 600,
        "x" * (MAX_PATTERN + 1) + "(a+)+",
        "[" * 3000,
    ]
    for p in patterns:
        t = time.perf_counter()
        analyze(p)
        assert time.perf_counter() - t < 2.0, p[:40]


def _codes(path, code):
    analysis = analyze_text(path, code.encode())
    assert not analysis.errors, analysis.errors
    return [f for f in analysis.findings if f.code == "RL142"]


def test_python_reports_the_pattern_with_the_group_in_the_message():
    (f,) = _codes("app.py", "import re\nNAME = re.compile(r'^(\\w+\\s?)*$')\n")
    assert f.cwe == (1333,) and f.severity.value == "warning" and f.confidence.value == "medium"
    assert "(\\w+\\s?)*" in f.message and "RE2" in f.message
    assert f.span.start_point == (1, 18)  # the pattern argument
    assert f.fixes == ()


def test_python_only_re_functions_and_constant_patterns():
    assert not _codes("app.py", "def compile(p): pass\ncompile('(a+)+')\n")
    assert not _codes("app.py", "import re\nre.compile(user_pattern)\n")
    assert _codes("app.py", "from re import search\nsearch('(a+)+$', s)\n")
    assert _codes("app.py", "import regex\nregex.match('(a*)*b', s)\n")


def test_javascript_literals_strings_and_escapes():
    assert _codes("a.js", "const r = /^(a+)+$/u;\n")
    assert _codes("a.js", "const r = RegExp('(\\\\w+\\\\s?)*$');\n")  # '\\w' in the string is \w
    assert not _codes("a.js", "const r = new RegExp('(\\\\w+\\\\.)*');\n")
    assert not _codes("a.js", "const r = new RegExp(userInput);\n")
    assert not _codes("a.js", "const s = '(a+)+';\n")  # a string that is not a pattern
    assert _codes("a.ts", "const r: RegExp = new RegExp(\"(.|\\\\s)*\");\n")


def test_java_pattern_and_string_methods():
    java = 'class A {{ void f(String s) {{ {} }} }}\n'
    assert _codes("A.java", java.format('java.util.regex.Pattern p = Pattern.compile("(a+)+$");'))
    assert _codes("A.java", java.format('boolean b = Pattern.matches("(a|a)*b", s);'))
    assert _codes("A.java", java.format('String t = s.replaceAll("(\\\\s*\\\\w*)*$", "");'))
    assert not _codes("A.java", java.format('String[] t = s.split("\\\\s*,\\\\s*");'))
    assert not _codes("A.java", java.format('java.util.regex.Pattern p = Pattern.compile("(\\\\w++\\\\s?)*");'))
    assert not _codes("A.java", java.format('boolean b = s.equals("(a+)+");'))
