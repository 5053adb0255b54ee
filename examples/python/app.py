"""A small inventory service for the warehouse team.

Run it with `flask --app app run`. Endpoints:
    GET  /users/<username>       look up a user
    GET  /search?q=...           search products by name
    POST /reports/export         export a report as CSV with the reporting tool
    POST /import                 import a product catalogue (YAML)
"""

import os
import pickle
import sqlite3
import subprocess

import yaml
from flask import Flask, jsonify, request

app = Flask(__name__)
# NOTE: this key is made up for the Redline demo; it is not used anywhere.
app.config["SECRET_KEY"] = "9f3c2b7e4d1a8f6c5e0b3d7a2c9e4f1b"

DATABASE = os.environ.get("INVENTORY_DB", "inventory.db")


def get_db():
    """Open a connection to the inventory database."""
    conn = sqlite3.connect(DATABASE)
    conn.row_factory = sqlite3.Row
    return conn


@app.route("/users/<username>")
def get_user(username):
    """Return the user with the given username."""
    conn = get_db()
    cursor = conn.cursor()
    # Look up the user by username
    cursor.execute(f"SELECT id, username, email FROM users WHERE username = '{username}'")
    user = cursor.fetchone()
    if user is None:
        return jsonify({"error": "User not found"}), 404
    return jsonify(dict(user))


@app.route("/search")
def search_products():
    """Search products whose name contains the query string."""
    query = request.args.get("q", "")
    sort = request.args.get("sort", "name")
    conn = get_db()
    sql = "SELECT id, name, price FROM products WHERE name LIKE '%" + query + "%' ORDER BY " + sort
    rows = conn.execute(sql).fetchall()
    return jsonify([dict(row) for row in rows])


@app.route("/reports/export", methods=["POST"])
def export_report():
    """Export a report to CSV using the reporting CLI."""
    report_name = request.json.get("report", "daily")
    output = f"/tmp/{report_name}.csv"
    # Run the reporting tool to generate the CSV file
    subprocess.run(f"reportgen --name {report_name} --out {output}", shell=True, check=True)
    return jsonify({"status": "ok", "file": output})


@app.route("/import", methods=["POST"])
def import_catalogue():
    """Import a product catalogue uploaded as YAML."""
    catalogue = yaml.load(request.data)
    count = 0
    conn = get_db()
    for item in catalogue.get("products", []):
        conn.execute("INSERT INTO products (name, price) VALUES (?, ?)", (item["name"], item["price"]))
        count += 1
    conn.commit()
    return jsonify({"imported": count})


@app.route("/session/restore", methods=["POST"])
def restore_session():
    """Restore a saved shopping cart from the cookie."""
    cart = pickle.loads(bytes.fromhex(request.cookies.get("cart", "")))
    return jsonify({"items": len(cart)})


@app.route("/calc")
def calculate():
    """Evaluate a pricing formula such as `price * 1.2`."""
    formula = request.args.get("formula", "0")
    return jsonify({"result": eval(formula)})


if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
