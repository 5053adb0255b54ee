"""The bandit engine: in-memory runs, mapping onto Redline's rules, RL901, suppressions, no state
carried between runs, and nothing reported for a buffer that does not parse."""

from __future__ import annotations

import threading

from redline.config import Config
from redline.engines import get
from redline.engines.bandit import ENGINE, run_bandit
from redline.findings import Confidence, Severity
from redline.pipeline import analyze_text, make_source

TRY_PASS = "def f():\n    try:\n        run()\n    except Exception:\n        pass\n"
# bandit is off by default (issue 13); these tests are about it, so they turn it on.
ONLY_BANDIT = Config(engines=(("redline", False), ("secrets", False), ("dependencies", False), ("registry", False),
                              ("detect-secrets", False), ("bandit", True)))
# B110 (try/except/pass) is off by default (engines/bandit.py DEFAULT_OFF); these tests use it
# as the plainest unmapped bandit check, so they turn it back on.
DEFAULT = Config(engines=(("dependencies", False), ("registry", False), ("detect-secrets", False), ("bandit", True)),
                 bandit_checks=("B110",))


def scan(code: str, config: Config = DEFAULT, path: str = "app.py"):
    a = analyze_text(path, code, config)
    assert not a.errors, a.errors
    return a.findings


def test_engine_is_registered_slow_and_off_by_default():
    assert get("bandit") is ENGINE
    assert ENGINE.slow and not ENGINE.default_on
    assert ENGINE.applies(make_source("a.py", b"x = 1\n"))
    assert not ENGINE.applies(make_source("a.js", b"x = 1;\n"))


def test_default_configuration_runs_no_bandit_and_one_switch_turns_it_on(tmp_path):
    from redline.config import load_file

    plain = Config(bandit_checks=("B110",))
    assert not [f for f in scan(TRY_PASS, plain) if f.engine == "bandit"]
    (tmp_path / "redline.toml").write_text("bandit-checks = [\"B110\"]\n[engines]\nbandit = true\n")
    config, problems = load_file(tmp_path / "redline.toml")
    assert not problems
    assert [f.property("bandit_id") for f in scan(TRY_PASS, config) if f.engine == "bandit"] == ["B110"]


def test_unmapped_results_become_rl901_with_bandit_id_cwe_severity_and_confidence():
    (f,) = [f for f in scan(TRY_PASS) if f.code == "RL901"]
    assert f.engine == "bandit" and f.name == "bandit"
    assert f.property("bandit_id") == "B110" and f.property("bandit_test") == "try_except_pass"
    assert "B110" in f.message and "try_except_pass" in f.message
    assert f.cwe == (703,)
    assert f.severity is Severity.INFO and f.confidence is Confidence.HIGH
    # the span starts where bandit points, in byte columns
    assert f.span.start_point == (3, 4)  # bandit reports the except clause


def test_results_covered_by_a_redline_rule_are_left_to_that_rule():
    code = "import subprocess\ndef f():\n    subprocess.run('make build', shell=True)\n    eval('1 + 2')\n"
    found = scan(code)
    assert not [f for f in found if f.code in ("RL102", "RL103")]  # Redline judges constants safe
    assert not [f for f in found if f.property("bandit_id") in ("B602", "B307")]


def test_with_the_redline_engine_off_covered_results_keep_the_rule_code():
    code = "import subprocess\ndef f(cmd):\n    subprocess.call(cmd, shell=True)\n"
    found = [f for f in scan(code, ONLY_BANDIT) if f.property("bandit_id") == "B602"]
    assert [f.code for f in found] == ["RL102"]
    assert found[0].engine == "bandit" and "B602" in found[0].message


def test_duplicates_of_redline_findings_are_removed_by_line_and_cwe():
    code = "import pickle\ndef f(b):\n    return pickle.loads(b)\n"
    found = scan(code)
    assert [f.code for f in found if f.span.start_line == 2] == ["RL107"]


def test_nosec_suppresses_by_bandit_id_and_as_a_whole():
    assert not [f for f in scan(TRY_PASS.replace("pass\n", "pass  # nosec B110\n").replace("except Exception:", "except Exception:  # nosec B110")) if f.code == "RL901"]
    assert [f for f in scan(TRY_PASS.replace("except Exception:", "except Exception:  # nosec B101")) if f.code == "RL901"]
    assert not [f for f in scan(TRY_PASS.replace("except Exception:", "except Exception:  # nosec")) if f.code == "RL901"]


def test_select_and_ignore_accept_bandit_ids():
    ignored = Config(engines=DEFAULT.engines, ignore=("B110",))
    assert not [f for f in scan(TRY_PASS, ignored) if f.code == "RL901"]


def test_unparsable_buffer_gives_no_results_and_no_error():
    for code in ("def f(:\n    pass\n", "x = (\n", "try:\n    pass\nexcept Exception:\n    pass\nelse\n"):
        file = make_source("app.py", code.encode())
        assert ENGINE.scan(file, DEFAULT) == []
        assert not ENGINE.applies(file)  # the server keeps the previous results meanwhile
    # Accepted by tree-sitter (Python 2 print), rejected by Python's parser: nothing, no exception.
    file = make_source("app.py", b"try:\n    pass\nexcept Exception:\n    pass\nprint 'py2'\n")
    assert ENGINE.applies(file)
    assert ENGINE.scan(file, DEFAULT) == []


def test_no_state_leaks_between_runs():
    first = [i.test_id for i in run_bandit(TRY_PASS.encode())]
    clean = run_bandit(b"x = 1\n")
    again = [i.test_id for i in run_bandit(TRY_PASS.encode())]
    assert first == again == ["B110"]
    assert clean == []


def test_concurrent_runs_do_not_mix_results():
    codes = {i: (TRY_PASS if i % 2 else "import pickle\npickle.loads(b'x')\n") for i in range(8)}
    results: dict[int, list[str]] = {}

    def work(i):
        results[i] = sorted(x.test_id for x in run_bandit(codes[i].encode()))

    threads = [threading.Thread(target=work, args=(i,)) for i in codes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, ids in results.items():
        assert ids == (["B110"] if i % 2 else ["B301", "B403"]), (i, ids)


def test_multiline_and_non_ascii_positions_stay_inside_the_text():
    code = "s = 'é'  # ünïcode\ndef f():\n    try:\n        run()\n    except Exception:\n        pass\n"
    (f,) = [f for f in scan(code) if f.code == "RL901"]
    assert 0 <= f.span.start_byte <= f.span.end_byte <= len(code.encode())
    assert code.encode()[f.span.start_byte : f.span.start_byte + 6] == b"except"
