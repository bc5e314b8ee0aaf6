package io.netwharf.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.netwharf.protocol.model.PortBinding;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The rows of {@link StoreSchema}'s tables, written from {@link Change}s and read into a {@link StoredState}. */
final class StoreTables {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoreTables() {}

    /**
     * Applies {@code changes} in order, on a connection whose transaction the caller commits. Each statement is
     * prepared once per call: a group of a thousand changes parses each statement's SQL once.
     */
    static void write(Connection connection, List<Change> changes) throws SQLException {
        try (Statements statements = new Statements(connection)) {
            write(statements, changes);
        }
    }

    /** The statements of one {@link #write}, prepared on first use and closed together. */
    private static final class Statements implements AutoCloseable {
        private final Connection connection;
        private final Map<String, PreparedStatement> prepared = new HashMap<>();

        Statements(Connection connection) {
            this.connection = connection;
        }

        void update(String sql, Object... values) throws SQLException {
            PreparedStatement statement = prepared.get(sql);
            if (statement == null) {
                statement = connection.prepareStatement(sql);
                prepared.put(sql, statement);
            }
            for (int i = 0; i < values.length; i++) {
                if (values[i] == null) {
                    statement.setNull(i + 1, Types.NULL);
                } else {
                    statement.setObject(i + 1, values[i]);
                }
            }
            statement.executeUpdate();
        }

        @Override
        public void close() throws SQLException {
            for (PreparedStatement statement : prepared.values()) {
                statement.close();
            }
        }
    }

    private static void write(Statements connection, List<Change> changes) throws SQLException {
        for (Change change : changes) {
            if (change instanceof Change.PutNetwork c) {
                StoredNetwork n = c.network();
                connection.update("INSERT OR REPLACE INTO networks (id, name, driver, link, subnet, gateway, phase, created, spec)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", n.id(), n.name(), n.driver(), n.link(), n.subnet(), n.gateway(),
                        phase(n.phase()), text(n.created()), n.specJson());
            } else if (change instanceof Change.DeleteNetwork c) {
                connection.update("DELETE FROM networks WHERE id = ?", c.id());
            } else if (change instanceof Change.PutSandbox c) {
                StoredSandbox s = c.sandbox();
                connection.update("INSERT OR REPLACE INTO sandboxes (container_id, label, mode, shares_with, phase, dns_servers, ports)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)", s.containerId(), s.label(), s.mode(), s.sharesWith(), phase(s.phase()),
                        json(s.dnsServers()), json(s.ports()));
            } else if (change instanceof Change.DeleteSandbox c) {
                connection.update("DELETE FROM endpoints WHERE container_id = ?", c.containerId());
                connection.update("DELETE FROM sandboxes WHERE container_id = ?", c.containerId());
            } else if (change instanceof Change.PutEndpoint c) {
                StoredEndpoint e = c.endpoint();
                connection.update("INSERT OR REPLACE INTO endpoints (container_id, network_id, endpoint_id, interface, host_interface,"
                        + " address, prefix_length, mac, aliases, phase, dns_names) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        e.containerId(), e.networkId(), e.endpointId(), e.interfaceName(), e.hostInterface(), e.address(),
                        e.prefixLength(), e.mac(), json(e.aliases()), phase(e.phase()), json(e.dnsNames()));
            } else if (change instanceof Change.DeleteEndpoint c) {
                connection.update("DELETE FROM endpoints WHERE container_id = ? AND network_id = ?", c.containerId(), c.networkId());
            } else if (change instanceof Change.PutContainer c) {
                StoredContainer k = c.container();
                connection.update("INSERT OR REPLACE INTO containers (id, name, image, status, pid, pid_start_time, exit_code, error,"
                        + " created, started_at, finished_at, restart_count, manually_stopped, stop_signal, stop_timeout, config)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", k.id(), k.name(), k.image(), k.status(), k.pid(),
                        k.pidStartTime(), k.exitCode(), k.error(), text(k.created()), text(k.startedAt()), text(k.finishedAt()),
                        k.restartCount(), k.manuallyStopped() ? 1 : 0, k.stopSignal(), k.stopTimeout(), k.configJson());
            } else if (change instanceof Change.DeleteContainer c) {
                connection.update("DELETE FROM containers WHERE id = ?", c.id());
            } else if (change instanceof Change.PutImage c) {
                StoredImage i = c.image();
                connection.update("INSERT OR REPLACE INTO images (id, reference, created) VALUES (?, ?, ?)", i.id(), i.reference(),
                        text(i.created()));
            } else if (change instanceof Change.DeleteImage c) {
                connection.update("DELETE FROM images WHERE id = ?", c.id());
            } else if (change instanceof Change.PutSetting c) {
                if (c.value() == null) {
                    connection.update("DELETE FROM settings WHERE key = ?", c.key());
                } else {
                    connection.update("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", c.key(), c.value());
                }
            }
        }
    }

    static StoredState read(Connection connection) throws SQLException {
        List<StoredNetwork> networks = new ArrayList<>();
        List<StoredSandbox> sandboxes = new ArrayList<>();
        List<StoredEndpoint> endpoints = new ArrayList<>();
        List<StoredContainer> containers = new ArrayList<>();
        List<StoredImage> images = new ArrayList<>();
        Map<String, String> settings = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement()) {
            try (ResultSet r = statement.executeQuery("SELECT id, name, driver, link, subnet, gateway, phase, created, spec FROM networks"
                    + " ORDER BY created, rowid")) {
                while (r.next()) {
                    networks.add(new StoredNetwork(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                            r.getString(6), phase(r.getString(7)), instant(r.getString(8)), r.getString(9)));
                }
            }
            try (ResultSet r = statement.executeQuery("SELECT container_id, label, mode, shares_with, phase, dns_servers, ports"
                    + " FROM sandboxes ORDER BY rowid")) {
                while (r.next()) {
                    sandboxes.add(new StoredSandbox(r.getString(1), r.getString(2), r.getString(3), r.getString(4), phase(r.getString(5)),
                            strings(r.getString(6)), ports(r.getString(7))));
                }
            }
            try (ResultSet r = statement.executeQuery("SELECT container_id, network_id, endpoint_id, interface, host_interface, address,"
                    + " prefix_length, mac, aliases, phase, dns_names FROM endpoints ORDER BY rowid")) {
                while (r.next()) {
                    endpoints.add(new StoredEndpoint(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                            r.getString(6), r.getInt(7), r.getString(8), strings(r.getString(9)), phase(r.getString(10)),
                            strings(r.getString(11))));
                }
            }
            try (ResultSet r = statement.executeQuery("SELECT id, name, image, status, pid, pid_start_time, exit_code, error, created,"
                    + " started_at, finished_at, restart_count, manually_stopped, stop_signal, stop_timeout, config FROM containers"
                    + " ORDER BY created, rowid")) {
                while (r.next()) {
                    containers.add(new StoredContainer(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getInt(5),
                            r.getLong(6), r.getInt(7), r.getString(8), instant(r.getString(9)), instant(r.getString(10)),
                            instant(r.getString(11)), r.getInt(12), r.getInt(13) != 0, r.getInt(14), r.getInt(15), r.getString(16)));
                }
            }
            try (ResultSet r = statement.executeQuery("SELECT id, reference, created FROM images ORDER BY created, rowid")) {
                while (r.next()) {
                    images.add(new StoredImage(r.getString(1), r.getString(2), instant(r.getString(3))));
                }
            }
            try (ResultSet r = statement.executeQuery("SELECT key, value FROM settings ORDER BY key")) {
                while (r.next()) {
                    settings.put(r.getString(1), r.getString(2));
                }
            }
        }
        return new StoredState(networks, sandboxes, endpoints, containers, images, settings);
    }

    private static String phase(Phase phase) {
        return phase.name().toLowerCase();
    }

    private static Phase phase(String text) {
        return Phase.valueOf(text.toUpperCase());
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }

    /** A list (names, servers, published ports) as a JSON array. */
    private static String json(List<?> strings) {
        try {
            return JSON.writeValueAsString(strings);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("write " + strings + " as JSON", e);
        }
    }

    private static List<PortBinding> ports(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<PortBinding>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("read the published ports " + json + ": " + e.getOriginalMessage(), e);
        }
    }

    private static List<String> strings(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("read the list " + json + ": " + e.getOriginalMessage(), e);
        }
    }
}
