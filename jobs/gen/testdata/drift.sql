-- A change table (after the drift README's worked example), business date
-- D = 2026-11-21 in UTC: the log of D and of D+1 up to 01:00.
CREATE TABLE order_changes (
  change_id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  order_time DATETIME NOT NULL,
  modified_time DATETIME NOT NULL,
  log_time DATETIME NOT NULL,
  log_pos BIGINT NOT NULL
);
INSERT INTO order_changes (order_id, status, order_time, modified_time, log_time, log_pos) VALUES
  (1, 'created',   '2026-11-21 23:50:00', '2026-11-21 23:50:00', '2026-11-21 23:50:01', 1),
  (1, 'paid',      '2026-11-21 23:50:00', '2026-11-21 23:59:59', '2026-11-22 00:00:03', 2), -- a late log of D's change
  (2, 'created',   '2026-11-21 23:40:00', '2026-11-21 23:40:00', '2026-11-21 23:40:01', 3),
  (2, 'paid',      '2026-11-21 23:40:00', '2026-11-22 00:00:01', '2026-11-22 00:00:03', 4), -- drifted over midnight
  (3, 'created',   '2026-11-21 10:00:00', '2026-11-21 10:00:00', '2026-11-21 10:00:00', 5),
  (3, 'cancelled', '2026-11-21 10:00:00', '2026-11-22 00:30:00', '2026-11-22 00:30:01', 6), -- after W: D+1's
  (4, 'created',   '2026-11-22 00:05:00', '2026-11-22 00:05:00', '2026-11-22 00:05:01', 7), -- D+1's order
  (5, 'created',   '2026-11-22 01:00:00', '2026-11-22 01:00:00', '2026-11-22 01:00:00', 8);
