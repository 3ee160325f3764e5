"""The test PostgreSQL (postgres_support.py) does what the PostgreSQL integration tests rely on:
fresh databases, a crash that loses nothing committed, a restart on the same URL, and nothing
left behind. Also applies schema/postgresql/013_baseline.sql with psql."""
import os
import subprocess
import unittest

from postgres_support import PostgresServer

SCHEMA = os.path.join(os.path.dirname(__file__), "..", "..", "schema", "postgresql", "013_baseline.sql")


class PostgresSupportTest(unittest.TestCase):
    def test_databases_crash_and_restart(self):
        with PostgresServer() as pg:
            root = pg.root
            self.assertEqual(oct(os.stat(root).st_mode & 0o777), "0o700")
            self.assertTrue(pg.url.startswith("postgresql://postgres@127.0.0.1:"))
            url = pg.create_database("crash_test")
            self.assertEqual(url, pg.url_for("crash_test"))
            pg.psql("crash_test", "CREATE TABLE t (v BIGINT); INSERT INTO t VALUES (1), (2)")
            with self.assertRaises(ValueError):
                pg.create_database("Bad-Name")

            pg.kill_postmaster()
            with self.assertRaises(RuntimeError):
                pg.psql("crash_test", "SELECT 1")

            pg.start()
            self.assertEqual(pg.psql("crash_test", "SELECT sum(v) FROM t").strip(), "3")
            # A crash, not a shutdown: the server recovered from its WAL.
            self.assertIn("database system was not properly shut down", pg.server_log())
        self.assertFalse(os.path.exists(root))

    def test_the_socket_url_and_a_role_with_a_password(self):
        with PostgresServer() as pg:
            pg.create_database("by_socket")
            url = pg.socket_url_for("by_socket")
            self.assertNotIn("127.0.0.1", url)
            pg.psql("by_socket", "CREATE TABLE t (v BIGINT); INSERT INTO t VALUES (7)")
            psql = [os.path.join(pg.bin, "psql"), "-X", "-A", "-t", "-w"]
            by_socket = subprocess.run([*psql, "-d", url, "-c", "SELECT v FROM t"], capture_output=True, text=True)
            self.assertEqual((by_socket.returncode, by_socket.stdout.strip()), (0, "7"), by_socket.stderr)

            own = pg.add_password_role("alice", "s3cret")
            self.assertEqual(own, pg.url_for("alice").replace("postgres@", "alice@"))
            env = {k: v for k, v in os.environ.items() if k not in ("PGPASSWORD", "PGPASSFILE")}
            for password, ok in ((None, False), ("wrong", False), ("s3cret", True)):
                with self.subTest(password=password):
                    run = subprocess.run([*psql, "-d", own, "-c", "SELECT current_user"], capture_output=True,
                                         text=True, env={**env, "PGPASSWORD": password} if password else env)
                    self.assertEqual(run.returncode == 0, ok, run.stderr)
                    if ok:
                        self.assertEqual(run.stdout.strip(), "alice")
            # Everyone else keeps trust authentication.
            self.assertEqual(pg.psql("by_socket", "SELECT 1").strip(), "1")

    def test_the_baseline_schema_applies_with_psql(self):
        with PostgresServer() as pg:
            pg.create_database("schema_test")
            pg.psql("schema_test", os.path.abspath(SCHEMA))
            tables = pg.psql("schema_test", "SELECT string_agg(tablename, ',' ORDER BY tablename) "
                                            "FROM pg_tables WHERE schemaname = 'public'").strip()
            self.assertEqual(tables, "alert_outbox,condition_alerts,events,incident_ids,incident_updates,"
                                     "incidents,inputs,phones,silences,sources")
            partial = pg.psql("schema_test", "SELECT count(*) FROM pg_indexes WHERE indexdef LIKE '% WHERE %'")
            self.assertEqual(partial.strip(), "7")


if __name__ == "__main__":
    unittest.main()
