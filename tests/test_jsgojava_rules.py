"""Rule classes added for the JS/Go/Java fix-pair recall work: Go integer narrowing (RL331),
Spring Security CSRF disabled (RL330), and what each one leaves alone."""

import pytest

from support_jsgojava import only


def go_func(body, sig="func f(s string) int32"):
    return f"package main\n\n{sig} {{\n{body}\n}}\n"


# ---------------------------------------------------------------- RL331 Go integer narrowing

@pytest.mark.parametrize("parse,target", [
    ("strconv.Atoi(s)", "int32"),
    ("strconv.Atoi(s)", "int16"),
    ("strconv.ParseInt(s, 10, 64)", "int32"),
    ("strconv.ParseUint(s, 10, 32)", "uint16"),
    ("strconv.ParseUint(s, 16, 16)", "byte"),
    ("strconv.ParseInt(s, 0, 0)", "uint32"),
])
def test_parsed_integer_narrowed_is_reported(parse, target):
    found = only("main.go", go_func(f"\tn, _ := {parse}\n\treturn {target}(n)", "func f(s string) any"), "RL331")
    assert len(found) == 1, found
    assert target in found[0].message and "strconv." in found[0].message
    assert found[0].related and found[0].related[0].span.start_line == 3


@pytest.mark.parametrize("parse,target", [
    ("strconv.ParseInt(s, 10, 32)", "int32"),
    ("strconv.ParseUint(s, 10, 16)", "uint16"),
    ("strconv.ParseUint(s, 10, 8)", "uint8"),
    ("strconv.Atoi(s)", "int64"),
    ("strconv.ParseInt(s, 10, bits)", "int32"),  # size not known
])
def test_parse_at_the_target_size_is_not_reported(parse, target):
    assert not only("main.go", go_func(f"\tn, _ := {parse}\n\treturn {target}(n)", "func f(s string, bits int) any"), "RL331")


@pytest.mark.parametrize("check", [
    "if n > math.MaxInt32 || n < math.MinInt32 {\n\t\treturn 0\n\t}",
    "if n < 0 || n > (1<<20)-1 {\n\t\treturn 0\n\t}",
    "if limit <= n {\n\t\treturn 0\n\t}",
])
def test_range_check_clears(check):
    assert not only("main.go", go_func(f"\tn, _ := strconv.Atoi(s)\n\t{check}\n\treturn int32(n)"), "RL331")


def test_lower_bound_only_is_not_a_range_check():
    code = go_func("\tn, _ := strconv.Atoi(s)\n\tif n < 0 {\n\t\treturn 0\n\t}\n\treturn int32(n)")
    assert len(only("main.go", code, "RL331")) == 1


def test_value_also_assigned_elsewhere_is_not_reported():
    code = go_func("\tn, _ := strconv.Atoi(s)\n\tif n == 0 {\n\t\tn = len(s)\n\t}\n\treturn int32(n)")
    assert not only("main.go", code, "RL331")


def test_parameters_and_shadowed_types_are_not_reported():
    assert not only("main.go", go_func("\treturn int32(n)", "func f(n int) int32"), "RL331")
    code = go_func("\tint32 := func(x int) int { return x }\n\tn, _ := strconv.Atoi(s)\n\treturn int32(n)", "func f(s string) int")
    assert not only("main.go", code, "RL331")


# ---------------------------------------------------------------- RL330 Spring CSRF disabled

def java_config(body):
    return ("class SecurityConfig {\n  SecurityFilterChain chain(HttpSecurity http) throws Exception {\n"
            f"    {body}\n    return http.build();\n  }}\n}}\n")


@pytest.mark.parametrize("body", [
    "http.csrf().disable();",
    "http.authorizeRequests().anyRequest().authenticated().and().httpBasic().and().csrf().disable();",
    "http.csrf(csrf -> csrf.disable());",
    "http.csrf(c -> { c.disable(); });",
    "http.csrf(AbstractHttpConfigurer::disable);",
])
def test_csrf_disabled_is_reported(body):
    found = only("SecurityConfig.java", java_config(body), "RL330")
    assert len(found) == 1, found
    assert found[0].confidence.value == "medium"
    assert "CSRF" in found[0].message


@pytest.mark.parametrize("body", [
    "http.csrf(c -> c.ignoringRequestMatchers(\"/webhooks/**\"));",
    "http.csrf().csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse());",
    "http.csrf(Customizer.withDefaults());",
    "http.headers().frameOptions().disable();",
])
def test_csrf_kept_is_not_reported(body):
    assert not only("SecurityConfig.java", java_config(body), "RL330")


def test_stateless_configuration_is_low():
    body = ("http.sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))\n"
            "        .csrf(AbstractHttpConfigurer::disable);")
    found = only("SecurityConfig.java", java_config(body), "RL330")
    assert len(found) == 1 and found[0].confidence.value == "low"


# ---------------------------------------------------------------- RL332 target="_blank" without noopener

@pytest.mark.parametrize("element,confidence", [
    ('<a href="https://example.com/docs" target="_blank">docs</a>', "medium"),
    ('<a href={`https://twitter.com/intent/tweet?text=${t}`} target="_blank">tweet</a>', "medium"),
    ('<a href={link.url} target="_blank">open</a>', "low"),
    ('<a target={"_blank"} href={url} rel="nofollow">x</a>', "low"),
    ('<form action="https://pay.example.com" target="_blank"><button /></form>', "medium"),
])
def test_new_tab_link_without_noopener_is_reported(element, confidence):
    found = only("view.jsx", f"export const V = ({{ link, url, t }}) => {element};", "RL332")
    assert len(found) == 1, found
    assert found[0].confidence.value == confidence


@pytest.mark.parametrize("element", [
    '<a href="https://example.com" target="_blank" rel="noopener">x</a>',
    '<a href={url} target="_blank" rel="noreferrer nofollow">x</a>',
    '<a href={url} target="_blank" rel={rel}>x</a>',
    '<a href={url} target="_blank" {...rest}>x</a>',
    '<a href="/settings" target="_blank">x</a>',
    '<a href={"/users/" + id} target="_blank">x</a>',
    '<a href={url}>x</a>',
    '<Button href={url} target="_blank">x</Button>',
])
def test_safe_or_internal_links_are_not_reported(element):
    assert not only("view.jsx", f"export const V = ({{ url, rel, rest, id }}) => {element};", "RL332")


def test_typescript_without_jsx_has_no_target_blank_rule():
    assert not only("view.ts", "const a = { target: '_blank', href: url };", "RL332")


# ---------------------------------------------------------------- RL105 text of the page re-inserted as HTML

@pytest.mark.parametrize("code", [
    "$('#list').append('<li>' + $('#name').val() + '</li>');",
    "function f($row) { var t = $row.find('a.twist').text(); $row.parent().append(t); }",
    "var el = document.getElementById('q'); out.innerHTML = 'You searched ' + el.value;",
    "preview.innerHTML = document.querySelector('#comment').value;",
    "$('#preview').html($('textarea').val());",
    "var v = $('#title').val(); $('<h1>' + v + '</h1>').appendTo('body');",
])
def test_page_text_into_html_is_medium(code):
    found = only("page.js", code, "RL105")
    assert len(found) == 1, [f.message for f in found]
    assert found[0].confidence.value == "medium"
    assert "text read from the page" in found[0].message


@pytest.mark.parametrize("code", [
    "$('#out').text($('#name').val());",
    "$('#out').html(escapeHtml($('#name').val()));",
    "var n = $('#count').val(); $('#x').append($('<span>').text(n));",
    "var id = $('#field-id').val(); $('#row-' + id + ' .label').hide();",
    "out.textContent = document.getElementById('q').value;",
    "var q = $('#q').val(); fetch('/search?q=' + encodeURIComponent(q));",
])
def test_page_text_as_text_or_selector_is_not_reported(code):
    assert not only("page.js", code, "RL105")


def test_page_text_parsed_on_the_server_is_not_request_data():
    code = ("const $ = cheerio.load(html);\n"
            "app.get('/t', (req, res) => res.send('<h1>' + $('title').text() + '</h1>'));")
    assert not only("server.js", code, "RL105")


def test_request_data_into_jquery_is_still_high():
    found = only("page.js", "$('#out').html(location.hash.slice(1));", "RL105")
    assert len(found) == 1 and found[0].confidence.value == "high"


# ---------------------------------------------------------------- RL130 set-by-path utilities

SET_BY_PATH = """function setPath(obj, path, value) {
  const keys = path.split('.');
  let cur = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    cur = cur[keys[i]] = cur[keys[i]] || {};
  }
  cur[keys[keys.length - 1]] = value;
}"""

WHILE_WALK = """const store = {
  set(key, val) {
    const path = key.split('.');
    let target = this.data;
    while (path.length > 1) {
      key = path.shift();
      if (!target[key] || typeof target[key] !== 'object') target[key] = {};
      target = target[key];
    }
    key = path.shift();
    target[key] = val;
  },
};"""


@pytest.mark.parametrize("code", [SET_BY_PATH, WHILE_WALK])
def test_set_by_path_is_reported_once_at_the_final_write(code):
    found = only("util.js", code, "RL130")
    assert len(found) == 1, [f.message for f in found]
    assert found[0].confidence.value == "medium"
    assert "path of keys" in found[0].message
    last_write = code.splitlines().index(next(l for l in reversed(code.splitlines()) if "] = v" in l))
    assert found[0].span.start_line == last_write


@pytest.mark.parametrize("code", [
    SET_BY_PATH.replace("  for (", "  if (keys.includes('__proto__') || keys.includes('constructor')) return;\n  for ("),
    # a trie: the walk ends with a named property, not a key from the path
    "function insert(root, word) {\n  let node = root;\n  for (const ch of word) {\n    if (!node[ch]) node[ch] = {};\n    node = node[ch];\n  }\n  node.end = true;\n}",
    # no walk: a flat lookup table
    "function count(words) {\n  const c = {};\n  for (const w of words) c[w] = (c[w] || 0) + 1;\n  return c;\n}",
    # walk with constant keys
    "function f(o, v) {\n  let cur = o;\n  for (let i = 0; i < 2; i++) cur = cur['child'];\n  cur['leaf'] = v;\n}",
])
def test_guarded_or_non_path_writes_are_not_reported(code):
    assert not only("util.js", code, "RL130")


def test_set_by_path_with_two_final_writes_is_reported_once():
    code = ("function set(obj, path, value, wrap) {\n  const parts = path.split('/');\n  const last = parts.pop();\n"
            "  let o = obj;\n  for (const p of parts) {\n    if (o[p] == null) o[p] = {};\n    o = o[p];\n  }\n"
            "  if (wrap) {\n    o[last] = { value };\n  } else {\n    o[last] = value;\n  }\n}")
    found = only("util.js", code, "RL130")
    assert len(found) == 1, [f.message for f in found]
    assert found[0].span.start_line == 9


def test_write_of_a_key_unrelated_to_the_walked_path_is_not_reported():
    code = ("function f(schema, pointer, rules) {\n  let node = schema;\n  for (const seg of pointer.split('/')) node = node[seg];\n"
            "  for (const key in rules) node[key] = rules[key].value;\n}")
    assert not only("util.js", code, "RL130")


# ---------------------------------------------------------------- helpers that read the request they are given

@pytest.mark.parametrize("read", [
    "ServletUtils.getPath(request)",
    "ServletRequestUtils.getStringParameter(request, \"name\")",
    "RequestUtil.getHeaderValue(request, \"X-Name\")",
])
def test_java_request_helpers_are_user_input(read):
    code = ("class A {\n  void f(HttpServletRequest request, HttpServletResponse response) throws Exception {\n"
            f"    String v = {read};\n    response.getWriter().write(\"<p>\" + v + \"</p>\");\n  }}\n}}\n")
    found = only("A.java", code, "RL105")
    assert len(found) == 1 and found[0].confidence.value == "high", found


@pytest.mark.parametrize("read", [
    "ServletUtils.getContextPath(request)",
    "Users.getDisplayName(request)",
    "ServletUtils.getPath(config)",
])
def test_java_other_helpers_are_not_user_input(read):
    code = ("class A {\n  void f(HttpServletRequest request, HttpServletResponse response, Config config) throws Exception {\n"
            f"    String v = {read};\n    response.getWriter().write(\"<p>\" + v + \"</p>\");\n  }}\n}}\n")
    assert not only("A.java", code, "RL105")


@pytest.mark.parametrize("read,expected", [
    ('utils.ParamString(r, ":id")', 1),
    ('getQueryValue(r, "id")', 1),
    ('currentUserName(r)', 0),
    ('utils.ParamString(other, ":id")', 0),
])
def test_go_request_helpers_are_user_input(read, expected):
    code = ("package main\n\nfunc h(w http.ResponseWriter, r *http.Request, other *Thing) {\n"
            f"\tid := {read}\n\tfmt.Fprintf(w, \"<p>%s</p>\", id)\n}}\n")
    assert len(only("main.go", code, "RL105")) == expected


# ---------------------------------------------------------------- RL102 conventional child_process names

def test_unbound_child_exec_sync_is_child_process_and_json_quoting_is_not_shell_quoting():
    code = ("function run(paramsFile, opts) {\n  var cmd = [JSON.stringify(process.execPath), JSON.stringify(paramsFile)].join(' ');\n"
            "  child.execSync(cmd, opts);\n}")
    found = only("exec.js", code, "RL102")
    assert len(found) == 1 and found[0].confidence.value == "medium", found


def test_child_bound_to_something_else_is_not_child_process():
    code = "const child = new Worker('w.js');\nfunction run(cmd) { child.exec('ls ' + cmd); }"
    assert not only("exec.js", code, "RL102")


# ---------------------------------------------------------------- RL104 archive entry names (zip slip) in JS

ZIP_SLIP = """const fs = require('fs-extra');
const path = require('path');
function extract(stream, dest) {
  stream.pipe(unzip.Parse()).on('entry', function (entry) {
    const out = path.join(dest, entry.path);
    fs.ensureFileSync(out);
    entry.pipe(fs.createWriteStream(out));
  });
}"""


def test_archive_entry_name_is_user_input_and_ensure_file_is_not_a_check():
    found = only("unzip.js", ZIP_SLIP, "RL104")
    assert found and all(f.confidence.value == "high" for f in found), found
    assert any("archive entry name entry.path" in f.message for f in found)


@pytest.mark.parametrize("code", [
    ZIP_SLIP.replace("    fs.ensureFileSync(out);\n",
                     "    if (!out.startsWith(path.resolve(dest) + path.sep)) return entry.autodrain();\n"),
    ZIP_SLIP.replace("entry.path)", "path.basename(entry.path))"),
    ZIP_SLIP.replace(".on('entry', function (entry)", ".on('data', function (entry)"),
])
def test_checked_or_non_archive_names_are_not_reported(code):
    # (a low finding for the joined parameter `dest` may remain: the caller decides the folder)
    assert not [f for f in only("unzip.js", code, "RL104") if f.confidence.value != "low"]


# ---------------------------------------------------------------- RL333 partial path traversal (Java)

def java_check(body):
    return ("class A {\n  File target(File dir, String name) throws IOException {\n    File f = new File(dir, name);\n"
            f"    {body}\n    return f;\n  }}\n}}\n")


@pytest.mark.parametrize("body", [
    "if (!f.getCanonicalPath().startsWith(dir.getCanonicalPath())) throw new IOException(name);",
    "String base = dir.getCanonicalPath();\n    if (!f.getCanonicalPath().startsWith(base)) throw new IOException(name);",
    "if (!f.getAbsolutePath().startsWith(dir.getAbsolutePath())) throw new IOException(name);",
])
def test_string_prefix_check_on_canonical_paths_is_reported(body):
    found = only("A.java", java_check(body), "RL333")
    assert len(found) == 1, found
    assert "File.separator" in found[0].message


def test_helper_named_get_canonical_path_and_reassigned_base_are_followed():
    code = ("class A {\n  void unzip(String targetPath, ZipEntry e) throws IOException {\n"
            "    targetPath = getCanonicalPath(new File(targetPath));\n"
            "    File t = new File(targetPath + File.separator + e.getName());\n"
            "    if (!getCanonicalPath(t).startsWith(targetPath)) return;\n  }\n}\n")
    assert len(only("A.java", code, "RL333")) == 1


@pytest.mark.parametrize("body", [
    "if (!f.getCanonicalPath().startsWith(dir.getCanonicalPath() + File.separator)) throw new IOException(name);",
    "String base = dir.getCanonicalPath() + File.separator;\n    if (!f.getCanonicalPath().startsWith(base)) throw new IOException(name);",
    "if (!f.toPath().normalize().startsWith(dir.toPath().normalize())) throw new IOException(name);",
    "if (!f.getCanonicalFile().toPath().startsWith(dir.getCanonicalFile().toPath())) throw new IOException(name);",
    "if (!f.getCanonicalPath().startsWith(\"/srv/data/\")) throw new IOException(name);",
    "if (!name.startsWith(prefix)) throw new IOException(name);",
])
def test_component_or_separator_checks_are_not_reported(body):
    assert not only("A.java", java_check(body), "RL333")


def test_jquery_object_held_in_a_plain_variable_is_followed():
    code = ("var msg = $('<span>');\nmsg.text(data.message);\n"
            "msg.html(msg.text().replace(/(https?:\\/\\/\\S+)/g, \"<a href='$1'>$1</a>\"));")
    found = only("chat.js", code, "RL105")
    assert len(found) == 1 and found[0].confidence.value == "medium", found


def test_dom_element_in_a_plain_variable_is_not_jquery():
    code = "var el = document.createElement('div');\nel.append(document.getElementById('name').value);"
    assert not only("page.js", code, "RL105")


@pytest.mark.parametrize("sig,expected", [
    ("func (a *Admin) Action(ctx *admin.Context)", 1),
    ("func Action(ctx *Context)", 1),
    ("func Action(ctx *http.Response)", 0),
    ("func Action(ctx *Thing)", 0),
])
def test_go_request_field_of_a_framework_context_is_user_input(sig, expected):
    code = f"package main\n\n{sig} {{\n\tids := ctx.Request.Form.Get(\"ids\")\n\tdb.Where(ids).Find(&rows)\n}}\n"
    found = only("main.go", code, "RL101")
    assert len([f for f in found if f.confidence.value == "high"]) == expected, found


RECURSIVE_PATH = """function setParam(res, key, value) {
  var i = key.indexOf('.');
  if (i < 0) {
    res[key] = value;
    return res;
  }
  var head = key.substring(0, i);
  var rest = key.substring(i + 1);
  var child = res[head];
  if (!child) child = {};
  res[head] = setParam(child, rest, value);
  return res;
}"""


def test_recursive_set_by_path_is_reported():
    found = only("url.js", RECURSIVE_PATH, "RL130")
    assert len(found) == 1 and "split by the recursive function setParam()" in found[0].message, found


@pytest.mark.parametrize("code", [
    RECURSIVE_PATH.replace("  var i = key", "  if (key === '__proto__' || key.startsWith('constructor')) return res;\n  var i = key"),
    # recursion that does not descend into res[head]
    RECURSIVE_PATH.replace("setParam(child, rest, value)", "setParam({}, rest, value)"),
])
def test_recursive_path_guarded_or_not_descending_is_not_reported(code):
    assert not only("url.js", code, "RL130")


def test_recursive_merge_through_a_variable_is_reported_once():
    code = ("function deepMerge(base, extra) {\n  const merged = { ...base };\n"
            "  for (const [key, value] of Object.entries(extra)) {\n    const current = merged[key];\n"
            "    if (isPlainObject(current) && isPlainObject(value)) {\n      merged[key] = deepMerge(current, value);\n"
            "    } else {\n      merged[key] = value;\n    }\n  }\n  return merged;\n}")
    found = only("merge.js", code, "RL130")
    assert len(found) == 1 and found[0].span.start_line == 5, found


# ---------------------------------------------------------------- RL304 hex digits of a home-made UUID

UUID = ("function uuid() {\n  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, c => {\n"
        "    const r = (Math.random() * 16) | 0;\n    const v = c === 'x' ? r : (r & 0x3) | 0x8;\n    return v.toString(16);\n  });\n}")


def test_uuid_from_math_random_without_a_security_name_is_not_reported():
    # issue 13 class M: Math.random() ids (element ids, temp names, request ids) were low-confidence
    # hints that triage counted as noise; a security name around the value still reports
    assert not only("id.js", UUID, "RL304")
    found = only("id.js", UUID.replace("function uuid()", "function sessionToken()"), "RL304")
    assert len(found) == 1 and found[0].confidence.value == "medium", found


@pytest.mark.parametrize("code", [
    UUID,
    UUID.replace("v.toString(16)", "String(v)"),
    "function pick(items) {\n  return items[Math.floor(Math.random() * items.length)].toString(16);\n}",
    "function jitter() {\n  const d = Math.random() * 16;\n  return d.toFixed(2);\n}",
])
def test_other_math_random_uses_are_not_ids(code):
    assert not only("id.js", code, "RL304")


def test_strip_tags_helpers_sanitize_html():
    assert not only("page.js", "var name = $('#fn').val().strip_tags();\n$('#card a').html(name);", "RL105")
    assert len(only("page.js", "var name = $('#fn').val().trim();\n$('#card a').html(name);", "RL105")) == 1


@pytest.mark.parametrize("stamp", ["new Date().getTime()", "Date.now()", "d.getFullYear()"])
def test_date_numbers_are_not_markup(stamp):
    code = f"function row(d) {{\n  var ts = 't' + {stamp};\n  el.innerHTML = '<div id=\"' + ts + '\"></div>';\n}}"
    assert not only("page.js", code, "RL105")
