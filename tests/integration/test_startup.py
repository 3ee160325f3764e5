"""Start-up and configuration: clear errors, no damage, defaults that round-trip."""
import hashlib
import os
import sqlite3
import subprocess
import unittest

from harness import (AGENT, COLLECTOR, RegwatchTestCase, free_port, postgres_server, postgresql_only,
                     sqlite_only, store_rows)

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "deploy")


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class StartupTest(RegwatchTestCase):
    def run_bin(self, *args):
        return subprocess.run(list(args), capture_output=True, text=True, timeout=60)

    def test_printed_default_configs_load_back(self):
        for binary, name in ((COLLECTOR, "collector"), (AGENT, "agent")):
            printed = self.run_bin(binary, "--print-default-config")
            self.assertEqual(printed.returncode, 0, printed.stderr)
            path = self.path(f"{name}.yaml")
            with open(path, "w") as f:
                f.write(printed.stdout)
            loaded = self.run_bin(binary, "--config", path, "--check-config")
            self.assertEqual(loaded.returncode, 0, loaded.stderr)

    def test_shipped_example_configs_are_valid(self):
        # The examples name secrets (environment variables) and files under /etc/regwatch that a
        # real install provides; --check-config insists on them as start-up does, so the test
        # provides them too: the variables set, the files in its directory.
        secrets = {"REGWATCH_SMTP_PASSWORD": "x", "REGWATCH_PAGERDUTY_KEY": "x",
                   "REGWATCH_SNMP_AUTH": "x", "REGWATCH_SNMP_PRIV": "x"}
        for name in ("snmp-trap-auth", "snmp-trap-priv"):
            with open(self.path(name), "w") as f:
                f.write("secret\n")
        for name, binary in (("collector.example.yaml", COLLECTOR), ("agent.example.yaml", AGENT)):
            shipped = os.path.join(EXAMPLES, name)
            self.assertTrue(os.path.exists(shipped), shipped)
            path = self.path(name)
            with open(shipped) as f, open(path, "w") as out:
                out.write(f.read().replace("/etc/regwatch/", self.dir + "/"))
            bare = subprocess.run([binary, "--config", path, "--check-config"], capture_output=True,
                                  text=True, timeout=60, env={k: v for k, v in os.environ.items()
                                                              if k not in secrets})
            self.assertEqual(bare.returncode, 1, bare.stdout)
            self.assertIn("is not set", bare.stderr)  # names the variable that is missing
            result = subprocess.run([binary, "--config", path, "--check-config"], capture_output=True,
                                    text=True, timeout=60, env={**os.environ, **secrets})
            self.assertEqual(result.returncode, 0, result.stderr)

    def test_config_errors_name_every_key_and_line(self):
        path = self.path("bad.yaml")
        with open(path, "w") as f:
            f.write("listen: 127.0.0.1:7443\nretention_dayz: 3\nquery_threads: many\n")
        result = self.run_bin(COLLECTOR, "--config", path)
        self.assertEqual(result.returncode, 1)
        self.assertIn("bad.yaml:2: retention_dayz: unknown key (did you mean 'retention_days'?)", result.stderr)
        self.assertIn("bad.yaml:3: query_threads:", result.stderr)
        with open(path, "w") as f:
            f.write("spool:\n  drop_policy: drop_random\nsyslog:\n  udp: nowhere\n")
        result = self.run_bin(AGENT, "--config", path, "--replay-syslog", path)
        self.assertEqual(result.returncode, 1)
        self.assertIn("spool.drop_policy", result.stderr)
        self.assertIn("syslog.udp", result.stderr)

    @sqlite_only("a garbage SQLite file")
    def test_garbage_database_is_refused_untouched(self):
        db = self.path("garbage.db")
        with open(db, "wb") as f:
            f.write(os.urandom(8192))
        before = digest(db)
        p = self.start_collector(db=db, expect_ready=False)
        self.assertEqual(p.wait(30), 2)
        self.assertIn("cannot start", p.stderr())
        self.assertEqual(digest(db), before)

    @sqlite_only("a newer schema written with the sqlite3 module into the file")
    def test_newer_schema_is_refused_untouched(self):
        db = self.path("newer.db")
        con = sqlite3.connect(db)
        con.execute("PRAGMA user_version = 999")
        con.execute("CREATE TABLE keep(x)")
        con.commit()
        con.close()
        before = digest(db)
        p = self.start_collector(db=db, expect_ready=False)
        self.assertEqual(p.wait(30), 2)
        self.assertIn("newer", p.stderr())
        self.assertEqual(digest(db), before)

    @unittest.skipUnless(os.geteuid() == 0, "needs root to run the collector as another user")
    @sqlite_only("file permissions of the SQLite file")
    def test_a_database_it_may_not_write_is_refused_at_start(self):
        """Run as nobody against root's database (readable, not writable; its directory likewise):
        refused before "listening", not failing every commit after it."""
        made = self.start_collector(db=self.path("root.db"))
        self.assertEqual(made.terminate(), 0)
        os.chmod(self.dir, 0o755)
        for name in os.listdir(self.dir):
            os.chmod(self.path(name), 0o644)
        before = digest(self.path("root.db"))
        run = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", COLLECTOR,
                              "--listen", "127.0.0.1:0", "--db", self.path("root.db")],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(run.returncode, 2, run.stdout + run.stderr)
        self.assertNotIn("listening", run.stdout)
        self.assertIn("is read-only to this process", run.stderr)
        self.assertEqual(digest(self.path("root.db")), before)

    # The PostgreSQL counterparts of the SQLite files above: a database of another application or
    # of a newer collector is refused untouched; a server that is not there, and one that refuses
    # the password, stop the start with the server's reason, before "listening".
    def public_tables(self, db):
        return {name for (name,) in store_rows(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}

    @postgresql_only("a database of another application, made with psql")
    def test_a_foreign_postgresql_database_is_refused_untouched(self):
        db = self.path("foreign.db")  # its PostgreSQL database: store_location() of it
        store_rows(db, "CREATE TABLE orders (id INTEGER); INSERT INTO orders VALUES (1)")
        p = self.start_collector(db=db, expect_ready=False)
        self.assertEqual(p.wait(60), 2, p.stdout() + p.stderr())
        self.assertIn("not a regwatch database; refusing to touch it", p.stderr())
        self.assertEqual(self.public_tables(db), {"orders"})
        self.assertEqual(store_rows(db, "SELECT id FROM orders"), [(1,)])

    @postgresql_only("a newer schema written with psql into the database")
    def test_a_newer_postgresql_schema_is_refused_untouched(self):
        db = self.path("newer.db")
        store_rows(db, "CREATE TABLE regwatch_schema (version INTEGER NOT NULL); "
                       "INSERT INTO regwatch_schema VALUES (999); CREATE TABLE keep (x INTEGER)")
        p = self.start_collector(db=db, expect_ready=False)
        self.assertEqual(p.wait(60), 2, p.stdout() + p.stderr())
        self.assertIn("has schema version 999, newer than this collector supports", p.stderr())
        self.assertEqual(self.public_tables(db), {"regwatch_schema", "keep"})
        self.assertEqual(store_rows(db, "SELECT version FROM regwatch_schema"), [(999,)])

    @postgresql_only("a PostgreSQL server that is not there")
    def test_an_unreachable_server_is_refused_at_start(self):
        url = f"postgresql://postgres@127.0.0.1:{free_port()}/regwatch"  # nothing listens there
        p = self.start_collector(db=url, expect_ready=False)
        self.assertEqual(p.wait(60), 2, p.stdout() + p.stderr())
        self.assertNotIn("listening", p.stdout())
        self.assertIn("cannot start", p.stderr())
        self.assertIn(f"connecting to {url}", p.stderr())
        self.assertIn("Connection refused", p.stderr())

    @postgresql_only("PostgreSQL's password authentication")
    def test_a_wrong_password_is_refused_at_start_without_showing_it(self):
        url = postgres_server().add_password_role("regwatch_pw", "right-secret-1")
        with_password = lambda password: url.replace("regwatch_pw@", f"regwatch_pw:{password}@")
        wrong = self.start_collector(db=with_password("wrong-secret-2"), name="wrong", expect_ready=False)
        self.assertEqual(wrong.wait(60), 2, wrong.stdout() + wrong.stderr())
        self.assertNotIn("listening", wrong.stdout())
        self.assertIn("cannot start", wrong.stderr())
        self.assertIn('password authentication failed for user "regwatch_pw"', wrong.stderr())
        self.assertIn("regwatch_pw:***@", wrong.stderr())
        self.assertNotIn("wrong-secret-2", wrong.stdout() + wrong.stderr())
        none = self.start_collector(db=url, name="none", expect_ready=False)
        self.assertEqual(none.wait(60), 2, none.stdout() + none.stderr())
        self.assertIn("no password supplied", none.stderr())
        # The right one starts, and its log does not show it either.
        right = self.start_collector(db=with_password("right-secret-1"), name="right")
        self.assert_store_backend(right.stderr())
        self.assertEqual(right.terminate(), 0)
        self.assertNotIn("right-secret-1", right.stdout() + right.stderr())

    def test_port_in_use_is_a_clear_error(self):
        first = self.start_collector()
        port = first.address.rsplit(":", 1)[1]
        second = self.start_collector(port=int(port), db=self.path("other.db"), name="second",
                                      expect_ready=False)
        self.assertEqual(second.wait(30), 2)
        self.assertIn("cannot listen", second.stderr())


if __name__ == "__main__":
    unittest.main()
