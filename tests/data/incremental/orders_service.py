"""Order service of a small shop (test data for the incremental-scan property tests)."""
import hashlib
import os
import pickle
import random
import subprocess as sp
from flask import Flask, redirect, request

import requests
import yaml

app = Flask(__name__)
REPORT_CMD = "generate-report --user "
ALLOWED_HOSTS = {"shop.example"}
session_secret = os.environ.get("SHOP_SECRET", "")


class OrderRepository:
    """Reads and writes orders."""

    table = "orders"
    page_size = 50

    def __init__(self, cursor, cache_dir):
        self.cursor = cursor
        self.cache_dir = cache_dir
        self.recent = []

    def find(self, order_id):
        query = f"SELECT * FROM {self.table} WHERE id = '{order_id}'"
        self.cursor.execute(query)
        return self.cursor.fetchone()

    def find_safe(self, order_id):
        self.cursor.execute("SELECT * FROM orders WHERE id = %s", (order_id,))
        return self.cursor.fetchone()

    def remember(self, order):
        self.recent.append(order)
        return len(self.recent)

    def search(self, term):
        sql = "SELECT * FROM orders WHERE note LIKE '%" + term + "%'"
        self.cursor.execute(sql)
        return self.cursor.fetchall()

    def load_cached(self, name):
        path = os.path.join(self.cache_dir, name)
        with open(path, "rb") as fh:
            return pickle.load(fh)

    def digest(self, order):
        return hashlib.md5(repr(order).encode()).hexdigest()


class ReportJobs:
    def __init__(self, runner=sp):
        self.runner = runner
        self.last_user = None

    def user_from_request(self):
        self.last_user = request.args.get("user")
        return self.last_user

    def run_report(self, user):
        cmd = REPORT_CMD + user
        os.system(cmd)
        return cmd

    def run_for_request(self):
        user = self.user_from_request()
        return self.run_report(user)

    def run_shell(self):
        name = request.args.get("name")
        sp.call("ls " + name, shell=True)

    def token(self):
        return random.getrandbits(64)

    @staticmethod
    def parse_config(text):
        return yaml.load(text)


@app.route("/orders/<order_id>")
def show_order(order_id):
    repo = OrderRepository(None, "/tmp")
    return repr(repo.find(order_id))


@app.route("/next")
def next_page():
    target = request.args.get("next", "/")
    return redirect(target)


def fetch_partner(url):
    return requests.get(url, verify=False, timeout=5)


class Webhooks:
    hosts = ALLOWED_HOSTS

    def deliver(self, url, body):
        if url not in self.hosts:
            return None
        return requests.post(url, data=body, timeout=5)

    def deliver_any(self):
        url = request.args.get("hook")
        return requests.post(url, timeout=5)

    def evaluate(self):
        expr = request.args.get("expr")
        return eval(expr)


if __name__ == "__main__":
    app.run(debug=True)
