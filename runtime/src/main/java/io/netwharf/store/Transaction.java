package io.netwharf.store;

import java.sql.Connection;
import java.sql.SQLException;

/** One SQLite transaction on a connection in auto-commit mode: all of the work commits, or none of it. */
final class Transaction {
    /** The work of a transaction, which may throw what JDBC throws. */
    interface Work {
        void run() throws SQLException;
    }

    private Transaction() {}

    static void run(Connection connection, Work work) throws SQLException {
        connection.setAutoCommit(false);
        try {
            work.run();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }
}
