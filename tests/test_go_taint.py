"""Local taint for Go: request data, mux vars and os.Args -> high confidence; parameters ->
lower; constants and strconv-parsed values -> nothing."""

import pytest

from support_jsgojava import only


def one(code, rule):
    found = only("main.go", code, rule)
    assert len(found) == 1, [f.message for f in found]
    return found[0]


HANDLER = "package main\n\nfunc h(w http.ResponseWriter, r *http.Request) {\n{body}\n}\n"


def handler(body):
    return HANDLER.replace("{body}", body)


@pytest.mark.parametrize("source", [
    'r.URL.Query().Get("id")',
    'r.FormValue("id")',
    'r.PostFormValue("id")',
    'mux.Vars(r)["id"]',
    'r.Header.Get("X-Id")',
    'chi.URLParam(r, "id")',
])
def test_request_sources_reach_sql_with_high_confidence(source):
    code = handler(f'\tid := {source}\n\tq := fmt.Sprintf("SELECT * FROM t WHERE id = %s", id)\n\tdb.Query(q)')
    f = one(code, "RL101")
    assert f.confidence.value == "high"
    assert f.related and f.related[0].span.start_line == 3


def test_strconv_parsed_value_is_safe():
    code = handler('\tn, err := strconv.Atoi(r.FormValue("n"))\n\t_ = err\n\tdb.Query(fmt.Sprintf("SELECT * FROM t LIMIT %d", n))')
    assert not only("main.go", code, "RL101")


def test_strings_builder_writes_are_followed():
    code = handler('\tvar sb strings.Builder\n\tsb.WriteString("SELECT * FROM t WHERE name = \'")\n\tsb.WriteString(r.FormValue("n"))\n\tsb.WriteString("\'")\n\tdb.Query(sb.String())')
    assert one(code, "RL101").confidence.value == "high"


def test_decoded_request_body_is_tainted():
    code = handler('\tvar req struct{ Name string }\n\tjson.NewDecoder(r.Body).Decode(&req)\n\tdb.Exec("DELETE FROM t WHERE name = \'" + req.Name + "\'")')
    assert one(code, "RL101").confidence.value == "high"


def test_gin_context_getters_are_sources():
    code = "package main\n\nfunc h(c *gin.Context) {\n\tc.Redirect(302, c.Query(\"next\"))\n}\n"
    assert one(code, "RL111").confidence.value == "high"


def test_os_args_is_a_source():
    code = "package main\n\nimport \"os/exec\"\n\nfunc main() {\n\texec.Command(\"sh\", \"-c\", \"ls \"+os.Args[1]).Run()\n}\n"
    assert one(code, "RL102").confidence.value == "high"


def test_local_variable_shadowing_the_exec_package_is_not_exec():
    code = "package main\n\nfunc f(exec Runner, cmd string) {\n\texec.Command(\"sh\", \"-c\", cmd)\n}\n"
    assert not only("main.go", code, "RL102")


def test_path_clean_with_a_leading_slash_is_a_sanitizer():
    code = handler('\tp := filepath.Join("/srv", filepath.Clean("/"+r.URL.Query().Get("f")))\n\tos.Open(p)')
    assert not only("main.go", code, "RL104")


def test_http_error_is_not_xss_but_fprintf_of_markup_is():
    plain = handler('\thttp.Error(w, "bad name: "+r.FormValue("n"), 400)')
    markup = handler('\tfmt.Fprintf(w, "<p>%s</p>", r.FormValue("n"))')
    assert not only("main.go", plain, "RL105")
    assert one(markup, "RL105").confidence.value == "high"


def test_ssrf_with_fixed_host_is_not_flagged():
    code = handler('\thttp.Get("https://api.example.com/items/" + url.PathEscape(r.FormValue("id")))\n\thttp.Get("https://api.example.com/v1?q=" + r.FormValue("q"))')
    assert not only("main.go", code, "RL106")


def test_insecure_random_needs_a_security_name():
    jitter = "package main\n\nimport \"math/rand\"\n\nfunc backoff() int { return rand.Intn(100) }\n"
    token = "package main\n\nimport \"math/rand\"\n\nfunc newToken() int64 { return rand.Int63() }\n"
    crypto = "package main\n\nimport \"crypto/rand\"\n\nfunc newToken(b []byte) { rand.Read(b) }\n"
    assert not only("main.go", jitter, "RL304")
    assert one(token, "RL304").confidence.value == "medium"
    assert not only("main.go", crypto, "RL304")


def test_cookie_flags_set_after_the_literal_count():
    code = handler('\tc := &http.Cookie{Name: "session", Value: "x"}\n\tc.Secure = true\n\thttp.SetCookie(w, c)')
    f = one(code, "RL307")
    assert "HttpOnly" in f.message and "Secure and" not in f.message


# ---------------------------------------------------------------- the Go model (rules/models/go.toml)

def test_library_knowledge_comes_from_the_go_model():
    from redline.rules.models import load
    from redline.rules.predicates import taint_go
    from redline.secrets.regex import is_linear

    m = taint_go.go_model()
    assert m.model is load("go") and taint_go.go_model() is m  # read once
    assert "FormValue" in m.request_fields and "*http.Request" in m.request_types
    assert "Query" in m.context_methods["gin.Context"] and "mux.Vars" in m.package_calls
    assert "Decode" in m.decoders and "WriteString" in m.builder_writes and "int64" in m.numeric
    assert all(is_linear(p) for p in m.request_helpers)
    assert m.model.sanitizes("sql", "QuoteLiteral", "pq.QuoteLiteral")
    assert m.model.sanitizes("path", "Base", "filepath.Base")
    assert not m.model.sanitizes("path", "Base", "u.Base")  # a method merely named Base
    assert m.model.sanitizes("sql", "Atoi", "strconv.Atoi") and not m.model.sanitizes("sql", "Quote", "strconv.Quote")
    assert m.model.sanitizes("html", "sanitizeName", "sanitizeName")  # any category: sanitize*/escape*


def test_the_analysis_follows_an_edited_model(monkeypatch):
    """Knowledge is data: the same code changes verdict when the model loses a source."""
    from pathlib import Path

    from redline.rules.models import HERE, parse
    from redline.rules.predicates import taint_go

    code = 'package main\n\nfunc h(c echo.Context) error {\n\tdb.Query("SELECT * FROM t WHERE id = " + c.QueryParam("id"))\n\treturn nil\n}\n'
    assert one(code, "RL101").confidence.value == "high"
    text = (HERE / "go.toml").read_text("utf-8")
    assert '"QueryParam", ' in text
    text = text.replace('"QueryParam", ', "")
    monkeypatch.setattr(taint_go, "_tables", taint_go.GoModel(parse(Path("go.toml"), text)))
    found = only("main.go", code, "RL101")
    assert all(f.confidence.value != "high" for f in found)


@pytest.mark.parametrize("func,source", [
    ("func h(c echo.Context) error", 'c.QueryParam("id")'),
    ("func h(c *fiber.Ctx) error", 'c.Query("id")'),
    ("func h(w http.ResponseWriter, r *http.Request, ps httprouter.Params)", 'ps.ByName("id")'),
    ("func h(w http.ResponseWriter, r *http.Request)", 'chi.URLParam(r, "id")'),
    ("func h(w http.ResponseWriter, r *http.Request)", 'getQueryParam(r, "id")'),  # a helper given the request
    ("func h(c *gin.Context)", 'c.Request.URL.Query().Get("id")'),
])
def test_model_sources_reach_sql_with_high_confidence(func, source):
    code = f'package main\n\n{func} {{\n\tid := {source}\n\tdb.Query("SELECT * FROM t WHERE id = " + id)\n\treturn nil\n}}\n'
    assert one(code, "RL101").confidence.value == "high"


def test_model_sanitizers_and_numeric_conversions_make_values_safe():
    for expr in ['filepath.Base(r.FormValue("f"))', 'sanitizePath(r.FormValue("f"))']:
        assert not only("main.go", handler(f'\tos.Open("/srv/" + {expr})'), "RL104"), expr
    assert only("main.go", handler('\tos.Open("/srv/" + r.FormValue("f"))'), "RL104")
    safe = handler('\tn := int64(len(r.FormValue("n")))\n\tdb.Query(fmt.Sprintf("SELECT * FROM t LIMIT %d", n))')
    assert not only("main.go", safe, "RL101")
    quoted = handler('\tdb.Query("SELECT * FROM t WHERE a = " + strconv.Quote(r.FormValue("a")))')
    assert one(quoted, "RL101")  # Go quoting is not SQL quoting
