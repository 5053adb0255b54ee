// Orders API for the storefront (Express + MySQL).
// Start with `node server.js`; configuration comes from the environment.
const express = require("express");
const mysql = require("mysql2");
const path = require("path");
const { exec } = require("child_process");

const app = express();
app.use(express.json());

const db = mysql.createConnection({
  host: process.env.DB_HOST || "localhost",
  user: process.env.DB_USER || "orders",
  password: process.env.DB_PASSWORD,
  database: "orders",
});

// Get all orders for a customer
app.get("/api/orders", (req, res) => {
  const customerId = req.query.customer;
  const query = "SELECT * FROM orders WHERE customer_id = '" + customerId + "' ORDER BY created_at DESC";
  db.query(query, (err, results) => {
    if (err) return res.status(500).json({ error: err.message });
    res.json(results);
  });
});

// Search orders by product name
app.get("/api/orders/search", (req, res) => {
  db.query(`SELECT * FROM orders WHERE product LIKE '%${req.query.q}%'`, (err, rows) => {
    if (err) return res.status(500).json({ error: err.message });
    res.json(rows);
  });
});

// Download an invoice PDF
app.get("/api/invoices/:file", (req, res) => {
  res.sendFile(path.join(__dirname, "invoices", req.params.file));
});

// Generate a shipping label with the label printer tool
app.post("/api/labels", (req, res) => {
  const { orderId, format } = req.body;
  exec(`label-tool --order ${orderId} --format ${format}`, (err, stdout) => {
    if (err) return res.status(500).send("Label generation failed");
    res.type("text/plain").send(stdout);
  });
});

// Apply a discount rule sent by the admin dashboard, e.g. "total * 0.9"
app.post("/api/discounts/preview", (req, res) => {
  const total = Number(req.body.total);
  const result = eval(req.body.rule);
  res.json({ total, discounted: result });
});

// Greet the customer on the confirmation page
app.get("/thanks", (req, res) => {
  res.send("<h1>Thank you, " + req.query.name + "!</h1>");
});

app.listen(3000, () => console.log("Orders API listening on port 3000"));
