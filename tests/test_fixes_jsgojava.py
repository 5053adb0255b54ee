"""Quick fixes of the JavaScript/TypeScript, Go and Java rules, tested by applying them: the
result parses without ERROR nodes, the rule no longer fires there, and the code is what a
person would write."""

import pytest

from support_jsgojava import apply_fix, has_error_nodes, only

CASES = [
    # (id, path, rule, fix title contains, code, expected text in the result)
    ("js-sql-pg-template", "db.js", "RL101", "placeholders",
     "const { Pool } = require('pg');\nconst pool = new Pool();\n"
     "app.get('/u', async (req, res) => {\n  const r = await pool.query(`SELECT * FROM users WHERE id = ${req.query.id} AND name = '${req.query.n}'`);\n  res.json(r.rows);\n});\n",
     ["pool.query(`SELECT * FROM users WHERE id = $1 AND name = $2`, [req.query.id, req.query.n])"]),
    ("js-sql-mysql-concat-callback", "db.js", "RL101", "placeholders",
     "const mysql = require('mysql2');\nfunction byName(conn, name, cb) {\n"
     "  const q = \"SELECT * FROM users WHERE name = '\" + name + \"' AND active = 1\";\n  conn.query(q, (err, rows) => cb(rows));\n}\n",
     ["const q = \"SELECT * FROM users WHERE name = ? AND active = 1\";", "conn.query(q, [name], (err, rows) => cb(rows));"]),
    ("js-sql-like", "db.js", "RL101", "placeholders",
     "const sqlite3 = require('sqlite3');\nfunction search(db, term) {\n  db.all(\"SELECT * FROM items WHERE title LIKE '%\" + term + \"%'\", cb);\n}\n",
     ["db.all(\"SELECT * FROM items WHERE title LIKE ?\", [`%${term}%`], cb);"]),
    ("js-sql-knex-raw", "db.ts", "RL101", "placeholders",
     "export function byEmail(knex: any, email: string) {\n  return knex.raw(`select * from users where email = '${email}'`);\n}\n",
     ["knex.raw(`select * from users where email = ?`, [email])"]),
    ("js-exec-execfile", "run.js", "RL102", "execFile",
     "const { exec } = require('child_process');\nfunction ls(dir, cb) {\n  exec(`ls -l ${dir}`, (err, out) => cb(out));\n}\n",
     ["const { exec, execFile } = require('child_process');", "execFile('ls', ['-l', dir], (err, out) => cb(out));"]),
    ("js-exec-member", "run.js", "RL102", "execFile",
     "const cp = require('child_process');\nfunction grep(p) { return cp.execSync('grep -n ' + p + ' app.log'); }\n",
     ["cp.execFileSync('grep', ['-n', p, 'app.log'])"]),
    ("js-tls-pair", "agent.js", "RL305", "Remove",
     "const agent = new https.Agent({\n  keepAlive: true,\n  rejectUnauthorized: false,\n});\n",
     ["const agent = new https.Agent({\n  keepAlive: true,\n});"]),
    ("js-tls-pair-inline", "agent.ts", "RL305", "Remove",
     "const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });\n",
     ["new https.Agent({ keepAlive: true })"]),
    ("js-tls-env", "boot.js", "RL305", "Remove",
     "require('dotenv').config();\nprocess.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';\nstart();\n",
     ["require('dotenv').config();\nstart();"]),
    ("js-random-token", "tok.js", "RL304", "getRandomValues",
     "function makeSecret() { return Math.floor(Math.random() * 1e9); }\n",
     ["Math.floor((crypto.getRandomValues(new Uint32Array(1))[0] / 4294967296) * 1e9)"]),
    ("js-random-uuid", "tok.js", "RL304", "randomUUID",
     "const sessionId = Math.random().toString(36).slice(2);\n",
     ["const sessionId = crypto.randomUUID();"]),
    ("js-md5-sha256", "h.js", "RL301", "SHA-256",
     "const sig = crypto.createHash('md5').update(body).digest('hex');\n",
     ["crypto.createHash('sha256')"]),
    ("js-rsa-bits", "k.js", "RL303", "2048",
     "crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });\n",
     ["modulusLength: 2048"]),
    ("js-cookie-add-options", "c.js", "RL307", "secure",
     "res.cookie('session', token);\n",
     ["res.cookie('session', token, { secure: true, httpOnly: true });"]),
    ("js-cookie-flip", "c.js", "RL307", "secure",
     "res.cookie('sid', id, { httpOnly: true, secure: false });\n",
     ["{ httpOnly: true, secure: true }"]),
    ("js-cookie-add-missing", "c.ts", "RL307", "secure",
     "res.cookie('auth', id, { maxAge: 1000 });\n",
     ["{ maxAge: 1000, secure: true, httpOnly: true }"]),
    ("js-session-cookie", "app.js", "RL307", "true",
     "app.use(session({ secret: s, cookie: { secure: false, httpOnly: false } }));\n",
     ["cookie: { secure: true, httpOnly: true }"]),
    ("js-innerhtml", "ui.js", "RL105", "textContent",
     "function show(el, msg) { el.innerHTML = '<b>' + msg + '</b>'; }\n",
     ["el.textContent = '<b>' + msg + '</b>';"]),
    ("go-sql-sprintf-sqlite", "db.go", "RL101", "placeholders",
     "package main\n\nimport (\n\t\"database/sql\"\n\t\"fmt\"\n\n\t_ \"github.com/mattn/go-sqlite3\"\n)\n\n"
     "func getUser(db *sql.DB, username, password string) {\n"
     "\tquery := fmt.Sprintf(\"SELECT info FROM users WHERE username = '%s' AND password = '%s'\", username, password)\n"
     "\tdb.QueryRow(query).Scan(&info)\n\tfmt.Println(info)\n}\n",
     ["query := \"SELECT info FROM users WHERE username = ? AND password = ?\"", "db.QueryRow(query, username, password)"]),
    ("go-sql-concat-pq", "db.go", "RL101", "placeholders",
     "package main\n\nimport (\n\t\"database/sql\"\n\n\t_ \"github.com/lib/pq\"\n)\n\n"
     "func del(db *sql.DB, name string, id int) {\n\tdb.Exec(\"DELETE FROM t WHERE name = '\" + name + \"' AND id > \" + fmt.Sprint(id))\n}\n",
     ["db.Exec(\"DELETE FROM t WHERE name = $1 AND id > $2\", name, fmt.Sprint(id))"]),
    ("go-sql-unknown-driver-pg", "db.go", "RL101", "$n placeholders",
     "package main\n\nfunc f(db *sql.DB, num string) {\n\tdb.QueryRow(fmt.Sprintf(`SELECT day FROM tallies ORDER BY day DESC LIMIT %s`, num)).Scan(&out)\n}\n",
     ["db.QueryRow(`SELECT day FROM tallies ORDER BY day DESC LIMIT $1`, num)"]),
    ("go-sql-unknown-driver-qmark", "db.go", "RL101", "? placeholders",
     "package main\n\nfunc f(db *sql.DB, term string) {\n\tdb.Query(fmt.Sprintf(\"SELECT * FROM t WHERE name LIKE '%%%s%%'\", term))\n}\n",
     ["db.Query(\"SELECT * FROM t WHERE name LIKE ?\", \"%\" + term + \"%\")"]),
    ("go-command-argv", "run.go", "RL102", "argument list",
     "package main\n\nimport (\n\t\"fmt\"\n\t\"os/exec\"\n)\n\nfunc getLs(dirPath string) {\n"
     "\tcommand := fmt.Sprintf(\"ls -l %s\", dirPath)\n\tcmd := exec.Command(\"sh\", \"-c\", command)\n\tcmd.Run()\n\tfmt.Println(1)\n}\n",
     ["\tcmd := exec.Command(\"ls\", \"-l\", dirPath)\n"]),
    ("go-tls-element", "c.go", "RL305", "Remove",
     "package main\n\nfunc c() *tls.Config {\n\tcfg := &tls.Config{\n\t\tMinVersion:         tls.VersionTLS12,\n\t\tInsecureSkipVerify: true,\n\t}\n\treturn cfg\n}\n",
     ["\tcfg := &tls.Config{\n\t\tMinVersion:         tls.VersionTLS12,\n\t}\n"]),
    ("go-tls-inline", "c.go", "RL305", "Remove",
     "package main\n\nvar t = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}\n",
     ["TLSClientConfig: &tls.Config{}"]),
    ("go-tls-assignment", "c.go", "RL305", "Remove",
     "package main\n\nfunc c(cfg *tls.Config) {\n\tcfg.InsecureSkipVerify = true\n\tuse(cfg)\n}\n",
     ["func c(cfg *tls.Config) {\n\tuse(cfg)\n}"]),
    ("go-md5-sha256", "h.go", "RL301", "SHA-256",
     "package main\n\nimport (\n\t\"crypto/md5\"\n\t\"fmt\"\n)\n\nfunc sign(b []byte) string { return fmt.Sprintf(\"%x\", md5.Sum(b)) }\n",
     ["\t\"crypto/sha256\"\n", "sha256.Sum256(b)"]),
    ("go-rsa-bits", "k.go", "RL303", "2048",
     "package main\n\nimport \"crypto/rsa\"\n\nfunc k() { rsa.GenerateKey(rand.Reader, 1024) }\n",
     ["rsa.GenerateKey(rand.Reader, 2048)"]),
    ("go-cookie-add", "c.go", "RL307", "Secure",
     "package main\n\nfunc set(w http.ResponseWriter, v string) {\n\thttp.SetCookie(w, &http.Cookie{Name: \"session\", Value: v})\n}\n",
     ["&http.Cookie{Name: \"session\", Value: v, Secure: true, HttpOnly: true}"]),
    ("go-cookie-multiline", "c.go", "RL307", "Secure",
     "package main\n\nfunc set(w http.ResponseWriter, v string) {\n\tc := &http.Cookie{\n\t\tName:  \"sid\",\n\t\tValue: v,\n\t}\n\thttp.SetCookie(w, c)\n}\n",
     ["\t\tValue: v,\n\t\tSecure: true,\n\t\tHttpOnly: true,\n\t}"]),
    ("java-prepared-statement", "UserDao.java", "RL101", "PreparedStatement",
     "import java.sql.Connection;\nimport java.sql.ResultSet;\nimport java.sql.Statement;\n\nclass UserDao {\n"
     "  User find(Connection conn, String name) throws SQLException {\n    Statement stmt = conn.createStatement();\n"
     "    ResultSet rs = stmt.executeQuery(\"SELECT * FROM users WHERE name = '\" + name + \"'\");\n    stmt.close();\n    return map(rs);\n  }\n}\n",
     ["import java.sql.PreparedStatement;", "PreparedStatement stmt = conn.prepareStatement(\"SELECT * FROM users WHERE name = ?\");",
      "    stmt.setObject(1, name);\n    ResultSet rs = stmt.executeQuery();"]),
    ("java-prepared-statement-sql-variable", "Dao.java", "RL101", "PreparedStatement",
     "class Dao {\n  void del(Connection conn, String id) throws SQLException {\n    Statement st = conn.createStatement();\n"
     "    String sql = \"DELETE FROM items WHERE id = \" + id;\n    st.executeUpdate(sql);\n  }\n}\n",
     ["PreparedStatement st = conn.prepareStatement(\"DELETE FROM items WHERE id = ?\");", "    st.setObject(1, id);\n    st.executeUpdate();"]),
    ("java-jdbc-template", "Repo.java", "RL101", "JdbcTemplate",
     "class Repo {\n  List<User> users(String n) {\n    return jdbcTemplate.query(\"SELECT * FROM users WHERE n = '\" + n + \"'\", mapper);\n  }\n}\n",
     ["jdbcTemplate.query(\"SELECT * FROM users WHERE n = ?\", mapper, n)"]),
    ("java-jpa", "Repo.java", "RL101", "setParameter",
     "class Repo {\n  List<User> byName(EntityManager em, String name) {\n"
     "    return em.createQuery(\"SELECT u FROM User u WHERE u.name = '\" + name + \"'\", User.class).getResultList();\n  }\n}\n",
     ["em.createQuery(\"SELECT u FROM User u WHERE u.name = ?1\", User.class).setParameter(1, name).getResultList()"]),
    ("java-runtime-exec", "A.java", "RL102", "separately",
     "class A {\n  void list(String dir) throws IOException {\n    Runtime.getRuntime().exec(\"ls -l \" + dir);\n  }\n}\n",
     ["Runtime.getRuntime().exec(new String[]{\"ls\", \"-l\", dir});"]),
    ("java-processbuilder-shell", "A.java", "RL102", "separately",
     "class A {\n  void ping(String host) throws IOException {\n    new ProcessBuilder(\"/bin/sh\", \"-c\", \"ping -c 1 \" + host).start();\n  }\n}\n",
     ["new ProcessBuilder(\"ping\", \"-c\", \"1\", host).start();"]),
    ("java-md5", "A.java", "RL301", "SHA-256",
     "class A {\n  byte[] sign(byte[] b) throws Exception { return MessageDigest.getInstance(\"MD5\").digest(b); }\n}\n",
     ["MessageDigest.getInstance(\"SHA-256\")"]),
    ("java-digestutils", "A.java", "RL301", "SHA-256",
     "class A {\n  String etagFor(byte[] b) { return DigestUtils.md5Hex(b); }\n}\n",
     ["DigestUtils.sha256Hex(b)"]),
    ("java-random", "A.java", "RL304", "SecureRandom",
     "class TokenService {\n  String newToken() {\n    Random random = new Random();\n    return Long.toHexString(random.nextLong());\n  }\n}\n",
     ["Random random = new java.security.SecureRandom();"]),
    ("jsx-target-blank", "view.jsx", "RL332", "noopener",
     "export const V = ({ url }) => <a href={url} target=\"_blank\">open</a>;\n",
     ['<a href={url} target="_blank" rel="noopener noreferrer">open</a>']),
    ("jsx-target-blank-rel", "view.tsx", "RL332", "noopener",
     "export const V = ({ url }: { url: string }) => <a href={url} rel=\"nofollow\" target=\"_blank\">open</a>;\n",
     ['rel="nofollow noopener noreferrer" target="_blank"']),
    ("java-rsa-bits", "A.java", "RL303", "2048",
     "class A {\n  void f() throws Exception {\n    KeyPairGenerator kpg = KeyPairGenerator.getInstance(\"RSA\");\n    kpg.initialize(1024);\n  }\n}\n",
     ["kpg.initialize(2048);"]),
    ("java-cookie", "A.java", "RL307", "Secure",
     "class A {\n  void f(HttpServletResponse response, String token) {\n    Cookie c = new Cookie(\"auth_token\", token);\n    response.addCookie(c);\n  }\n}\n",
     ["    Cookie c = new Cookie(\"auth_token\", token);\n    c.setSecure(true);\n    c.setHttpOnly(true);\n    response.addCookie(c);"]),
    ("java-cookie-flip", "A.java", "RL307", "true",
     "class A {\n  void f(Cookie c) { c.setHttpOnly(false); }\n}\n",
     ["c.setHttpOnly(true);"]),
]


def _fix(findings, title):
    for f in findings:
        for fx in f.fixes:
            if title.lower() in fx.title.lower():
                return f, fx
    raise AssertionError(f"no fix titled like {title!r} in {[fx.title for f in findings for fx in f.fixes]}")


@pytest.mark.parametrize("path,rule,title,code,expected", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_fix_applies_parses_and_silences_the_rule(path, rule, title, code, expected):
    before = only(path, code, rule)
    finding, fx = _fix(before, title)
    fixed = apply_fix(code, fx)
    for text in expected:
        assert text in fixed, f"expected {text!r} in:\n{fixed}"
    assert not has_error_nodes(path, fixed), fixed
    after = only(path, fixed, rule)
    assert len(after) < len(before), f"{rule} still fires after the fix:\n{fixed}\n{[f.message for f in after]}"


def test_go_sql_fix_without_a_known_driver_offers_both_placeholder_styles():
    code = "package main\n\nfunc f(db *sql.DB, id string) {\n\tdb.Query(\"SELECT * FROM t WHERE id = \" + id)\n}\n"
    [finding] = only("db.go", code, "RL101")
    titles = sorted(fx.title for fx in finding.fixes)
    assert len(titles) == 2 and "$n" in titles[0] and "?" in titles[1]
    assert not any(fx.safe for fx in finding.fixes)


@pytest.mark.parametrize("path,code", [
    # a table name cannot be a parameter
    ("db.js", "const { Pool } = require('pg');\nfunction f(pool, table) { return pool.query(`SELECT * FROM ${table} WHERE a = 1`); }\n"),
    # a value inside a longer quoted string
    ("db.js", "const mysql = require('mysql');\nfunction f(c, a, b) { c.query(\"SELECT * FROM t WHERE k = '\" + a + \"-\" + b + \"'\"); }\n"),
    # no driver import: the placeholder style is unknown
    ("db.js", "function f(db, id) { return db.query(`SELECT * FROM t WHERE id = ${id}`); }\n"),
    # the Statement is used for a second query
    ("A.java", "class A {\n  void f(Connection c, String n) throws Exception {\n    Statement st = c.createStatement();\n"
               "    st.executeQuery(\"SELECT * FROM t WHERE n = '\" + n + \"'\");\n    st.executeUpdate(\"DELETE FROM log\");\n  }\n}\n"),
])
def test_sql_fix_is_not_offered_when_it_would_break_the_query(path, code):
    findings = only(path, code, "RL101")
    assert findings, "the rule should still report it"
    assert all(not f.fixes for f in findings), [fx.title for f in findings for fx in f.fixes]


def test_password_hash_gets_no_sha256_fix_but_a_kdf_hint():
    code = "function hashPassword(password) { return crypto.createHash('md5').update(password).digest('hex'); }\n"
    [finding] = only("p.js", code, "RL301")
    assert not finding.fixes
    assert "scrypt" in finding.message and finding.confidence.value == "high"


def test_exec_fix_is_not_offered_for_shell_syntax():
    code = "const { exec } = require('child_process');\nfunction f(p) { exec(`cat ${p} | grep x`); }\n"
    [finding] = only("run.js", code, "RL102")
    assert not finding.fixes


TLS_AND_XXE = [
    ("go-tls-min", "c.go", "RL320", "TLS 1.2", "package main\n\nvar cfg = &tls.Config{MinVersion: tls.VersionTLS10}\n",
     ["MinVersion: tls.VersionTLS12"]),
    ("js-tls-min", "c.js", "RL320", "TLS 1.2", "const agent = new https.Agent({ minVersion: 'TLSv1' });\n",
     ["minVersion: 'TLSv1.2'"]),
    ("java-sslcontext", "A.java", "RL320", "TLS 1.2",
     "class A {\n  SSLContext f() throws Exception { return SSLContext.getInstance(\"TLSv1\"); }\n}\n",
     ["SSLContext.getInstance(\"TLSv1.2\")"]),
    ("java-xxe-dbf", "A.java", "RL132", "external",
     "class A {\n  Document parse(InputStream in) throws Exception {\n    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();\n"
     "    return dbf.newDocumentBuilder().parse(in);\n  }\n}\n",
     ["    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();\n"
      "    dbf.setAttribute(javax.xml.XMLConstants.ACCESS_EXTERNAL_DTD, \"\");\n"
      "    dbf.setAttribute(javax.xml.XMLConstants.ACCESS_EXTERNAL_SCHEMA, \"\");\n"]),
    ("java-xxe-stax", "A.java", "RL132", "external",
     "class A {\n  XMLStreamReader f(InputStream in) throws Exception {\n    XMLInputFactory xif = XMLInputFactory.newInstance();\n"
     "    return xif.createXMLStreamReader(in);\n  }\n}\n",
     ["xif.setProperty(javax.xml.stream.XMLInputFactory.SUPPORT_DTD, false);"]),
    ("js-xxe-noent", "x.js", "RL132", "noent", "const doc = libxmljs.parseXmlString(xml, { noblanks: true, noent: true });\n",
     ["libxmljs.parseXmlString(xml, { noblanks: true })"]),
]


@pytest.mark.parametrize("path,rule,title,code,expected", [pytest.param(*c[1:], id=c[0]) for c in TLS_AND_XXE])
def test_tls_version_and_xxe_fixes(path, rule, title, code, expected):
    test_fix_applies_parses_and_silences_the_rule(path, rule, title, code, expected)
