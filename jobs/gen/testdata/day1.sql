-- The source's changes of 2026-11-21 (D1), after the initial load of D0.
-- Rows whose window column is 2026-11-22 00:00:00 (the next day) belong to
-- no D1 window; rows at 2026-11-21 00:00:00 belong to D1's.
SET time_zone = '+00:00';

UPDATE orders SET status = 9, amount = amount + 1, modified_time = '2026-11-21 10:00:00' WHERE id BETWEEN 100 AND 119;
UPDATE orders SET note = 'boundary', modified_time = '2026-11-21 00:00:00' WHERE id = 50;
DELETE FROM orders WHERE id BETWEEN 1 AND 5;
INSERT INTO orders (id, user_id, amount, status, note, created_time, modified_time)
SELECT 1000 + seq, seq, seq * 2.5, 1, CONCAT('new ', seq), TIMESTAMP('2026-11-21 08:00:00') + INTERVAL seq MINUTE,
       TIMESTAMP('2026-11-21 08:00:00') + INTERVAL seq MINUTE FROM seq_1_to_10;
INSERT INTO orders (id, user_id, amount, status, note, created_time, modified_time)
VALUES (2000, 1, 1.00, 0, 'next day', '2026-11-22 00:00:00', '2026-11-22 00:00:00');

UPDATE order_items SET qty = qty + 100, modified_time = '2026-11-21 11:00:00' WHERE order_id BETWEEN 20 AND 27;
DELETE FROM order_items WHERE order_id = 6;
INSERT INTO order_items SELECT 500, seq, CONCAT('SKU-N', seq), seq, 9.99, '2026-11-21 12:00:00' FROM seq_1_to_10;

UPDATE users SET name = CONCAT(name, ' (renamed)'), updated_at = '2026-11-21 09:30:00' WHERE user_code BETWEEN 'u00010' AND 'u00019';
DELETE FROM users WHERE user_code IN ('u00001', 'u00002');
INSERT INTO users SELECT CONCAT('n', seq), CONCAT('New ', seq), NULL, '2026-11-21 23:59:59' FROM seq_1_to_5;

INSERT INTO access_log (user_code, path, status, created_at)
SELECT CONCAT('u', seq), '/new', 200, TIMESTAMP('2026-11-21') + INTERVAL seq * 1000 SECOND FROM seq_1_to_50;
INSERT INTO access_log (user_code, path, status, created_at) VALUES
  ('edge', '/start', 200, '2026-11-21 00:00:00.000'), ('edge', '/next', 200, '2026-11-22 00:00:00.000');

INSERT INTO user_events SELECT CONCAT('u', seq), 'buy', TIMESTAMP('2026-11-21 06:00:00') + INTERVAL seq MINUTE FROM seq_1_to_30;

INSERT INTO misc_notes VALUES ('added 1', 1), ('added 2', NULL);
DELETE FROM misc_notes WHERE a IN ('note-1', 'note-2', 'note-3');
UPDATE misc_notes SET b = -1 WHERE a = 'note-10';

UPDATE dim_region SET name = 'renamed region', update_time = '2026-11-21 08:00:00' WHERE id = 3;
INSERT INTO dim_currency VALUES ('CHF', 'Franc');

UPDATE all_types SET c_varchar = CONCAT('changed ', id, ' ✓'), c_int = NULL, c_ubigint = 18446744073709551615,
  c_dec38 = 99999999999999999999999999.9999999999, updated_at = '2026-11-21 07:00:00.250' WHERE id BETWEEN 11 AND 20;
DELETE FROM all_types WHERE id IN (1, 2);
INSERT INTO all_types (id, c_tinyint, c_varchar, c_bit1, c_time3, c_json, c_blob, updated_at)
SELECT 100 + seq, 127, 'inserted', 1, '00:00:00.001', '[1, 2]', UNHEX('FF00'), '2026-11-21 13:00:00' FROM seq_1_to_5;

UPDATE payments SET amount = amount * 2, gmt_modified = '2026-11-21 14:00:00' WHERE order_id BETWEEN 30 AND 39;
INSERT INTO payments SELECT CONCAT('pay-new-', seq), 900 + seq, 1.5, '2026-11-21 15:00:00', '2026-11-21 15:00:00' FROM seq_1_to_5;

INSERT INTO audit_history (actor, action, created_time)
SELECT 'admin9', 'revoke', TIMESTAMP('2026-11-21 03:00:00') + INTERVAL seq MINUTE FROM seq_1_to_20;

UPDATE products SET price = price + 10, modified_time = '2026-11-21 16:00:00' WHERE id BETWEEN 40 AND 49;
DELETE FROM products WHERE id IN (1, 2, 3);
INSERT INTO products SELECT 100 + seq, CONCAT('SKU-NEW-', seq), CONCAT('New product ', seq), 5, '2026-11-21 17:00:00' FROM seq_1_to_5;

INSERT INTO product_tags SELECT 100 + seq, 'fresh' FROM seq_1_to_5;
DELETE FROM product_tags WHERE product_id IN (1, 2) ;

UPDATE settings SET v = 'changed' WHERE k = 'key1';

UPDATE shipments SET carrier = 'UPS', modified_time = '2026-11-21 18:00:00' WHERE id IN (10, 20, 30, 41, 42);
INSERT INTO shipments SELECT 200 + seq, 1, 'SF', '2026-11-21 19:00:00' FROM seq_1_to_5;

INSERT INTO login_record (user_code, create_date) SELECT CONCAT('u', seq), '2026-11-21' FROM seq_1_to_10;
INSERT INTO login_record (user_code, create_date) VALUES ('late', '2026-11-22');

UPDATE unique_only SET val = 'changed', modified_time = '2026-11-21 20:00:00' WHERE code IN (10, 20, 30, 40, 50);
INSERT INTO unique_only VALUES (1000, 'new', '2026-11-21 21:00:00'), (1010, 'new', '2026-11-21 21:30:00'), (1020, NULL, '2026-11-21 22:00:00');
DELETE FROM unique_only WHERE code = 700;

INSERT INTO daily_counts (day, cnt, create_time) SELECT '2026-11-21', seq, TIMESTAMP('2026-11-21 01:00:00') + INTERVAL seq HOUR FROM seq_1_to_5;
