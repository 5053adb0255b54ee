package shop.web;

import java.io.File;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

public class AccountController {
    private static final String BASE_DIR = "/srv/accounts";
    private final Connection connection;
    private final List<String> audit = new ArrayList<>();
    private String lastName;

    public AccountController(Connection connection) {
        this.connection = connection;
    }

    private String nameFrom(HttpServletRequest request) {
        lastName = request.getParameter("name");
        return lastName;
    }

    public void find(HttpServletRequest request) throws Exception {
        String name = nameFrom(request);
        Statement st = connection.createStatement();
        st.executeQuery("SELECT * FROM accounts WHERE name = '" + name + "'");
    }

    public void findSafe(String id) throws Exception {
        Statement st = connection.createStatement();
        st.executeQuery("SELECT * FROM accounts WHERE id = 42");
        audit.add(id);
    }

    public void export(HttpServletRequest request) throws Exception {
        String file = request.getParameter("file");
        Runtime.getRuntime().exec("tar czf /tmp/out.tgz " + file);
    }

    public File avatar(HttpServletRequest request) {
        return new File(BASE_DIR, request.getParameter("avatar"));
    }

    public void back(HttpServletRequest request, HttpServletResponse response) throws Exception {
        response.sendRedirect(request.getParameter("next"));
    }

    public byte[] fingerprint(String value) throws Exception {
        return MessageDigest.getInstance("MD5").digest(value.getBytes());
    }

    public int token() {
        Random random = new Random();
        return random.nextInt();
    }
}

class AuditLog {
    private final List<String> lines = new ArrayList<>();

    void record(HttpServletRequest request) throws Exception {
        String who = request.getParameter("who");
        lines.add(who);
        Runtime.getRuntime().exec("logger " + who);
    }

    int size() {
        return lines.size();
    }
}
