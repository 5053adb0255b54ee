package com.example.shop;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** User lookups and maintenance endpoints for the shop back office. */
@RestController
public class UserController {

    private final DataSource dataSource;

    public UserController(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Finds a user's e-mail address by user name. */
    @GetMapping("/users/email")
    public String findEmail(@RequestParam String username) throws SQLException {
        try (Connection conn = dataSource.getConnection();
             Statement stmt = conn.createStatement()) {
            String sql = "SELECT email FROM users WHERE username = '" + username + "'";
            ResultSet rs = stmt.executeQuery(sql);
            return rs.next() ? rs.getString("email") : null;
        }
    }

    /** Compresses the log files of the given day. */
    @PostMapping("/maintenance/logs")
    public String compressLogs(@RequestParam String day) throws IOException {
        Runtime.getRuntime().exec("sh -c 'gzip /var/log/shop/" + day + "/*.log'");
        return "started";
    }

    /** Hashes a password before it is stored. */
    static String hashPassword(String password) throws NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("MD5");
        byte[] digest = md.digest(password.getBytes());
        StringBuilder hex = new StringBuilder();
        for (byte b : digest) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }
}
