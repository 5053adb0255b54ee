"""The same inventory service, written safely: Redline reports nothing here.

Parameterized SQL, programs run with argument lists, YAML read with the safe loader, JSON
instead of pickle, and a tiny expression parser instead of eval.
"""

import ast
import json
import operator
import os
import sqlite3
import subprocess

import yaml
from flask import Flask, abort, jsonify, request

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["INVENTORY_SECRET_KEY"]

DATABASE = os.environ.get("INVENTORY_DB", "inventory.db")
SORT_COLUMNS = {"name", "price"}
OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def get_db():
    conn = sqlite3.connect(DATABASE)
    conn.row_factory = sqlite3.Row
    return conn


@app.route("/users/<username>")
def get_user(username):
    cursor = get_db().cursor()
    cursor.execute("SELECT id, username, email FROM users WHERE username = ?", (username,))
    user = cursor.fetchone()
    if user is None:
        return jsonify({"error": "User not found"}), 404
    return jsonify(dict(user))


@app.route("/search")
def search_products():
    query = request.args.get("q", "")
    sort = request.args.get("sort", "name")
    if sort not in SORT_COLUMNS:
        abort(400)
    sql = "SELECT id, name, price FROM products WHERE name LIKE ? ORDER BY " + ("price" if sort == "price" else "name")
    rows = get_db().execute(sql, (f"%{query}%",)).fetchall()
    return jsonify([dict(row) for row in rows])


@app.route("/reports/export", methods=["POST"])
def export_report():
    report_name = request.json.get("report", "daily")
    if not report_name.isidentifier():
        abort(400)
    output = os.path.join("/var/reports", f"{report_name}.csv")
    subprocess.run(["reportgen", "--name", report_name, "--out", output], check=True)
    return jsonify({"status": "ok", "file": output})


@app.route("/import", methods=["POST"])
def import_catalogue():
    catalogue = yaml.safe_load(request.data) or {}
    conn = get_db()
    rows = [(item["name"], item["price"]) for item in catalogue.get("products", [])]
    conn.executemany("INSERT INTO products (name, price) VALUES (?, ?)", rows)
    conn.commit()
    return jsonify({"imported": len(rows)})


@app.route("/session/restore", methods=["POST"])
def restore_session():
    cart = json.loads(request.cookies.get("cart", "[]"))
    return jsonify({"items": len(cart)})


def _evaluate(node):
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        return OPERATORS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    raise ValueError("unsupported expression")


@app.route("/calc")
def calculate():
    formula = request.args.get("formula", "0")
    try:
        return jsonify({"result": _evaluate(ast.parse(formula, mode="eval"))})
    except (SyntaxError, ValueError, ZeroDivisionError):
        abort(400)


if __name__ == "__main__":
    app.run(host="127.0.0.1")
