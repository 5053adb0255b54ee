'use strict';
const { exec } = require('child_process');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const UPLOAD_DIR = '/srv/uploads';
let requestCount = 0;

class CartStore {
  constructor(db) {
    this.db = db;
    this.items = [];
  }

  find(req) {
    const id = req.query.id;
    return this.db.query(`SELECT * FROM carts WHERE id = ${id}`);
  }

  findSafe(id) {
    return this.db.query('SELECT * FROM carts WHERE id = ?', [id]);
  }

  add(item) {
    this.items.push(item);
    requestCount += 1;
    return this.items.length;
  }

  readUpload(req) {
    const name = req.query.file;
    return fs.readFileSync(path.join(UPLOAD_DIR, name));
  }

  archive(req) {
    exec('tar czf /tmp/cart.tgz ' + req.query.dir);
  }

  token() {
    return Math.random().toString(36);
  }

  checksum(data) {
    return crypto.createHash('md5').update(data).digest('hex');
  }
}

function render(req, res) {
  const el = res.locals.el;
  el.innerHTML = '<b>' + req.query.msg + '</b>';
}

function back(req, res) {
  res.redirect(req.query.next);
}

class Reports {
  run(req) {
    const user = this.user(req);
    exec('report ' + user);
  }

  user(req) {
    return req.query.user;
  }
}

module.exports = { CartStore, Reports, render, back };
