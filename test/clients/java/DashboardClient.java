import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.postgresql.util.PGobject;

/**
 * pgjdbc (Debian's libpostgresql-jdbc-java, the driver Metabase and Tableau
 * use) against the dashboard queries.
 *
 * Builds the tables of ../fixture.sql (its path is the first argument), runs
 * the README "Clients" snippet (the lines between the README markers below,
 * word for word: run_clients.sh compares them), then checks the Java class
 * and JDBC type of every value and the values against the log's rows,
 * recomputed here, and the hand values in fixture.sql.  Output is TAP; exit
 * status 1 on any failure.
 */
public class DashboardClient {
    static final double Z95 = 1.959963984540054;
    static int tests = 0;
    static boolean failed = false;

    static void check(boolean ok, String what) {
        tests++;
        failed |= !ok;
        System.out.println((ok ? "ok " : "not ok ") + tests + " - " + what);
    }

    static boolean close(Object a, double b) {
        return a instanceof Double && Math.abs((Double) a - b) <= 1e-12 * Math.max(1.0, Math.abs(b));
    }

    /** PGHOST etc. as libpq reads them; a directory in PGHOST is a unix socket. */
    static Connection connect() throws SQLException {
        String host = System.getenv().getOrDefault("PGHOST", "localhost");
        String port = System.getenv().getOrDefault("PGPORT", "5432");
        Properties props = new Properties();
        props.setProperty("user", System.getenv().getOrDefault("PGUSER", System.getProperty("user.name")));
        String url = "jdbc:postgresql://" + (host.startsWith("/") ? "localhost" : host) + ":" + port + "/"
            + System.getenv().getOrDefault("PGDATABASE", props.getProperty("user"));
        if (host.startsWith("/")) {
            props.setProperty("socketFactory", "UnixSocketFactory");
            props.setProperty("socketFactoryArg", host + "/.s.PGSQL." + port);
            props.setProperty("sslmode", "disable");
            props.setProperty("gssEncMode", "disable");
        }
        return DriverManager.getConnection(url, props);
    }

    /** Per policy: n, n_matched, snips, ips, ips_se, dr, ess from the log (q = v = 0.5). */
    static Map<String, Map<String, Double>> expectedFromLog(Connection c) throws SQLException {
        List<double[]> rows = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT image_id, propensity, played FROM impressions_log"
                 + " ORDER BY impression_id")) {
            while (rs.next()) {
                rows.add(new double[] {rs.getLong(1), rs.getDouble(2), rs.getBoolean(3) ? 1 : 0});
            }
        }
        Map<String, Map<String, Double>> out = new HashMap<>();
        for (String policy : new String[] {"greedy", "logging"}) {
            double n = rows.size(), matched = 0, sw = 0, sw2 = 0, swr = 0, sdr = 0;
            double[] terms = new double[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                double[] r = rows.get(i);
                double pi = policy.equals("greedy") ? (r[0] == 1 ? 1 : 0) : r[1];
                double w = pi / r[1];
                matched += pi > 0 ? 1 : 0;
                sw += w;
                sw2 += w * w;
                swr += w * r[2];
                sdr += 0.5 + w * (r[2] - 0.5);
                terms[i] = w * r[2];
            }
            double ips = swr / n, ss = 0;
            for (double t : terms) {
                ss += (t - ips) * (t - ips);
            }
            Map<String, Double> e = new HashMap<>();
            e.put("n", n);
            e.put("n_matched", matched);
            e.put("snips", swr / sw);
            e.put("ips", ips);
            e.put("ips_se", Math.sqrt(ss / (n - 1)) / Math.sqrt(n));
            e.put("dr", sdr / n);
            e.put("ess", sw * sw / sw2);
            out.put(policy, e);
        }
        return out;
    }

    /** The fields of a composite's text form, e.g. (replay,0.8,,...): none of ours is quoted. */
    static String[] fields(PGobject composite) {
        String v = composite.getValue();
        return v.substring(1, v.length() - 1).split(",", -1);
    }

    public static void main(String[] args) throws Exception {
        Connection conn = connect();
        try (Statement setup = conn.createStatement()) {
            setup.execute(Files.readString(Path.of(args[0])));
        }
        Map<String, Map<String, Double>> exp = expectedFromLog(conn);
        check(Math.abs(exp.get("greedy").get("snips") - 6.0 / 7) < 1e-15 && exp.get("greedy").get("ips") == 1.5
              && exp.get("greedy").get("dr") == 1.125 && exp.get("logging").get("snips") == 0.625,
              "the log's recomputed estimates are the hand values");

        // README: begin java
        // conn: a java.sql.Connection (jdbc:postgresql://host:5432/analytics)
        Statement st = conn.createStatement();

        // plain columns: float8 -> Double, bigint -> Long, text[] -> java.sql.Array
        ResultSet rs = st.executeQuery(
            "SELECT policy, estimator, estimate, std_error, ci_lower, ci_upper, n, match_rate, warnings"
                + " FROM ope_rollup_report('ope_daily_results', current_date - 7, current_date - 1)"
                + " WHERE estimator = 'ips' ORDER BY policy");
        rs.next();
        Object estimate = rs.getObject("estimate");                 // Double 1.5
        Object n = rs.getObject("n");                               // Long 8
        String[] warnings = (String[]) rs.getArray("warnings").getArray();

        // the README's view rounded to numeric: BigDecimal
        rs = st.executeQuery(
            "SELECT policy, estimator, round(estimate::numeric, 4) AS estimate, n, days"
                + " FROM ope_last_7_days WHERE estimator IN ('snips', 'dr') ORDER BY policy, estimator");
        rs.next();
        Object rounded = rs.getObject("estimate");                  // BigDecimal 1.1250

        // a composite column: a PGobject of type ope_result holding the row's text
        rs = st.executeQuery(
            "SELECT ope_report(ope_merge(state)) AS r FROM ope_daily_results WHERE policy = 'greedy'");
        rs.next();
        PGobject report = (PGobject) rs.getObject("r");             // "(replay,0.8,...)"

        // a state, with or without ::jsonb: a PGobject holding its JSON text
        rs = st.executeQuery("SELECT ope_merge(state) AS s, ope_merge(state)::jsonb AS j"
            + " FROM ope_daily_results WHERE policy = 'greedy'");
        rs.next();
        PGobject state = (PGobject) rs.getObject("s");              // type "ope_state"
        PGobject stateJson = (PGobject) rs.getObject("j");          // type "jsonb"
        // README: end java

        // the snippet's values
        check(estimate instanceof Double && (Double) estimate == 1.5, "snippet: estimate is Double 1.5");
        check(n instanceof Long && (Long) n == 8L, "snippet: n (bigint) is Long 8");
        check(warnings.length >= 1, "snippet: warnings (text[]) is a String[] of " + warnings.length);
        check(rounded instanceof BigDecimal && rounded.equals(new BigDecimal("1.1250")),
              "snippet: round(estimate::numeric, 4) is BigDecimal " + rounded);
        check(report.getType().equals("ope_result") && report.getValue().startsWith("(replay,"),
              "snippet: ope_result is a PGobject of type ope_result: " + report.getValue().substring(0, 16));
        check(state.getType().equals("ope_state") && state.getValue().startsWith("{\"version\":"),
              "snippet: ope_state is a PGobject of type ope_state holding its JSON text");
        check(stateJson.getType().equals("jsonb") && stateJson.getValue().contains("\"n\": 8"),
              "snippet: ope_state::jsonb is a PGobject of type jsonb (jsonb's text)");
        check(rs.getMetaData().getColumnType(1) == Types.OTHER && rs.getMetaData().getColumnType(2) == Types.OTHER,
              "metadata: ope_state and jsonb are OTHER");

        // every row of the dashboard, by JDBC type and class
        rs = st.executeQuery(
            "SELECT policy, estimator, estimate, std_error, ci_lower, ci_upper, n, match_rate, warnings,"
                + " provisional FROM ope_rollup_report('ope_daily_results', current_date - 7, current_date - 1)"
                + " WHERE estimator = 'ips' ORDER BY policy");
        ResultSetMetaData md = rs.getMetaData();
        check(md.getColumnType(3) == Types.DOUBLE && md.getColumnType(7) == Types.BIGINT
              && md.getColumnType(9) == Types.ARRAY && md.getColumnType(10) == Types.BIT,
              "metadata: float8 DOUBLE, bigint BIGINT, text[] ARRAY, boolean BIT");
        int rows = 0;
        while (rs.next()) {
            rows++;
            String policy = rs.getString("policy");
            Map<String, Double> e = exp.get(policy);
            Object est = rs.getObject("estimate"), se = rs.getObject("std_error");
            Object lo = rs.getObject("ci_lower"), hi = rs.getObject("ci_upper");
            check(close(est, e.get("ips")) && close(se, e.get("ips_se")),
                  policy + ": ips and its standard error (Double) as recomputed");
            check(close(lo, e.get("ips") - Z95 * e.get("ips_se")) && close(hi, e.get("ips") + Z95 * e.get("ips_se")),
                  policy + ": the 95% normal interval (Double)");
            check(rs.getObject("n") instanceof Long && rs.getLong("n") == e.get("n"), policy + ": n is Long");
            check(close(rs.getObject("match_rate"), e.get("n_matched") / e.get("n")), policy + ": match_rate");
            Array w = rs.getArray("warnings");
            check(w.getBaseTypeName().equals("text") && w.getArray() instanceof String[],
                  policy + ": warnings is a java.sql.Array of String");
            check(rs.getObject("provisional") instanceof Boolean && !rs.getBoolean("provisional"),
                  policy + ": provisional is Boolean");
        }
        check(rows == 2, "ope_rollup_report: one ips row per policy");

        rs = st.executeQuery(
            "SELECT policy, estimator, round(estimate::numeric, 4) AS estimate, n, days"
                + " FROM ope_last_7_days WHERE estimator IN ('snips', 'dr') ORDER BY policy, estimator");
        check(rs.getMetaData().getColumnType(3) == Types.NUMERIC && rs.getMetaData().getColumnType(5) == Types.INTEGER,
              "metadata: numeric NUMERIC, integer INTEGER");
        StringBuilder order = new StringBuilder();
        while (rs.next()) {
            String policy = rs.getString(1), estimator = rs.getString(2);
            order.append(policy).append(' ').append(estimator).append(';');
            Object v = rs.getObject(3);
            check(v instanceof BigDecimal && ((BigDecimal) v).scale() == 4
                  && Math.abs(((BigDecimal) v).doubleValue() - exp.get(policy).get(estimator)) <= 0.00005 + 1e-12,
                  policy + " " + estimator + ": round(estimate::numeric, 4) is BigDecimal " + v);
            check(rs.getObject(4) instanceof Long && rs.getLong(4) == 8 && rs.getObject(5) instanceof Integer
                  && rs.getInt(5) == 2, policy + " " + estimator + ": n is Long, days is Integer");
        }
        check(order.toString().equals("greedy dr;greedy snips;logging dr;logging snips;"),
              "the README's dashboard query: rows in order");

        // composites: PGobject, or plain columns when expanded
        rs = st.executeQuery(
            "SELECT ope_report(ope_merge(state)) AS r FROM ope_daily_results WHERE policy = 'greedy'");
        md = rs.getMetaData();
        check(md.getColumnTypeName(1).equals("ope_result") && md.getColumnType(1) == Types.STRUCT,
              "metadata: ope_result is STRUCT named ope_result (" + md.getColumnType(1) + ")");
        Map<String, String[]> byName = new HashMap<>();
        StringBuilder names = new StringBuilder();
        while (rs.next()) {
            String[] f = fields((PGobject) rs.getObject(1));
            byName.put(f[0], f);
            names.append(f[0]).append(',');
        }
        check(names.toString().equals("replay,ips,snips,dm,dr,sndr,"), "ope_report: one PGobject per estimator");
        check(close(Double.parseDouble(byName.get("snips")[1]), exp.get("greedy").get("snips"))
              && close(Double.parseDouble(byName.get("dr")[1]), exp.get("greedy").get("dr"))
              && close(Double.parseDouble(byName.get("ips")[2]), exp.get("greedy").get("ips_se")),
              "ope_result text fields as recomputed (floats print exactly)");
        check(byName.get("dm")[3].isEmpty() && byName.get("snips")[5].isEmpty(),
              "a NULL field is empty in the text (dm's interval, lambda)");
        rs = st.executeQuery("SELECT * FROM ope_report((SELECT ope_merge(state) FROM ope_daily_results"
            + " WHERE policy = 'greedy'))");
        rs.next();
        check(rs.getMetaData().getColumnCount() == 6 && rs.getObject("estimate") instanceof Double
              && rs.getString("estimator").equals("replay") && rs.getObject("lambda") == null,
              "SELECT * FROM ope_report(...) gives plain columns (Double, NULL as null)");

        // the rest: replay, diagnostics, a time series, bigints, a model
        rs = st.executeQuery("SELECT replay_take_fraction(image_id, target_image, played) FROM impressions");
        rs.next();
        check(rs.getObject(1) instanceof Double && rs.getDouble(1) == 0.5, "replay_take_fraction is Double 0.5");
        rs = st.executeQuery("SELECT n, n_matched, ess, warnings FROM ope_diagnostics((SELECT ope_merge(state)"
            + " FROM ope_daily_results WHERE policy = 'greedy'))");
        rs.next();
        check(rs.getObject("n") instanceof Long && rs.getLong("n") == 8 && rs.getLong("n_matched") == 5,
              "ope_diagnostics: n, n_matched are Long");
        check(close(rs.getObject("ess"), exp.get("greedy").get("ess")) && close(rs.getObject("ess"), 196.0 / 44),
              "ope_diagnostics: ess is Double 196/44");
        rs = st.executeQuery("SELECT day, policy, estimate FROM ope_rollup_report('ope_daily_results',"
            + " current_date - 3, current_date - 1, by_day => true) WHERE estimator = 'snips' ORDER BY day, policy");
        rs.next();
        check(rs.getObject("day") instanceof java.sql.Date
              && rs.getDate("day").toLocalDate().equals(LocalDate.now().minusDays(2)),
              "by_day: day (date) is java.sql.Date");
        rs = st.executeQuery("SELECT max(impression_id) FROM impressions_log");
        rs.next();
        check(rs.getObject(1) instanceof Long && rs.getLong(1) == (1L << 53) + 15, "bigint above 2^53 is an exact Long");
        rs = st.executeQuery("SELECT m, m::jsonb FROM (SELECT bandit_fit(a, ARRAY[1.0], 1.0) AS m"
            + " FROM (VALUES (9007199254740993::int8)) v(a)) f");
        rs.next();
        PGobject model = (PGobject) rs.getObject(1), modelJson = (PGobject) rs.getObject(2);
        check(rs.getMetaData().getColumnType(1) == Types.OTHER, "metadata: banditmodel is OTHER");
        check(model.getType().equals("banditmodel") && modelJson.getType().equals("jsonb")
              && modelJson.getValue().contains("\"action\": 9007199254740993"),
              "banditmodel and banditmodel::jsonb are PGobjects holding their text");
        conn.close();

        System.out.println("1.." + tests);
        System.exit(failed ? 1 : 0);
    }
}
