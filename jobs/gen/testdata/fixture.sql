-- The end-to-end fixture of datax gen: tables of different shapes, as of
-- the initial load's day 2026-11-20 (D0). day1.sql holds the changes of
-- 2026-11-21 (D1). Times are set explicitly, never by the clock.
SET time_zone = '+00:00';

CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY COMMENT 'order id',
  user_id INT NOT NULL,
  amount DECIMAL(12,2) NOT NULL COMMENT 'total; it''s in CNY',
  status TINYINT NOT NULL DEFAULT 0,
  note VARCHAR(200) NULL,
  created_time DATETIME NOT NULL,
  modified_time DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  KEY ix_modified (modified_time)
) COMMENT 'orders; one row per order';
INSERT INTO orders (user_id, amount, status, note, created_time, modified_time)
SELECT seq % 37, seq * 1.25, seq % 4, IF(seq % 5 = 0, NULL, CONCAT('note ', seq, IF(seq % 7 = 0, ' 🚀 ünï', ''))),
       TIMESTAMP('2026-11-01') + INTERVAL seq * 97 MINUTE, TIMESTAMP('2026-11-01') + INTERVAL seq * 97 MINUTE
FROM seq_1_to_300;

CREATE TABLE order_items (
  order_id BIGINT NOT NULL,
  line_no INT NOT NULL,
  sku VARCHAR(32) NOT NULL,
  qty INT NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  modified_time DATETIME NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
INSERT INTO order_items SELECT 1 + (seq - 1) DIV 2, 1 + (seq - 1) % 2, CONCAT('SKU-', seq % 50), seq % 9 + 1, (seq % 100) + 0.99,
       TIMESTAMP('2026-11-02') + INTERVAL seq * 41 MINUTE FROM seq_1_to_400;

CREATE TABLE users (
  user_code VARCHAR(32) NOT NULL PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  email VARCHAR(128) NULL,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
) DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
INSERT INTO users SELECT CONCAT('u', LPAD(seq, 5, '0')), CONCAT('User ', seq), IF(seq % 3 = 0, NULL, CONCAT('u', seq, '@example.com')),
       TIMESTAMP('2026-11-03') + INTERVAL seq * 53 MINUTE FROM seq_1_to_200;

CREATE TABLE access_log (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_code VARCHAR(32) NOT NULL,
  path VARCHAR(255) NOT NULL,
  status INT NOT NULL,
  created_at DATETIME(3) NOT NULL
);
INSERT INTO access_log (user_code, path, status, created_at)
SELECT CONCAT('u', seq % 20), CONCAT('/page/', seq % 13), IF(seq % 11 = 0, 500, 200),
       TIMESTAMP('2026-11-15') + INTERVAL seq * 1013 SECOND + INTERVAL (seq % 1000) * 1000 MICROSECOND FROM seq_1_to_500;

CREATE TABLE user_events (
  user_code VARCHAR(32) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  event_time DATETIME NOT NULL
);
INSERT INTO user_events SELECT CONCAT('u', seq % 30), ELT(1 + seq % 3, 'click', 'view', 'buy'),
       TIMESTAMP('2026-11-18') + INTERVAL seq * 571 SECOND FROM seq_1_to_300;

CREATE TABLE misc_notes (
  a VARCHAR(40) NULL,
  b INT NULL
);
INSERT INTO misc_notes SELECT CONCAT('note-', seq), IF(seq % 4 = 0, NULL, seq) FROM seq_1_to_60;

CREATE TABLE dim_region (
  id INT NOT NULL PRIMARY KEY,
  name VARCHAR(32) NOT NULL,
  update_time DATETIME NOT NULL
) COMMENT 'regions';
INSERT INTO dim_region SELECT seq, CONCAT('region ', seq), '2026-10-01 00:00:00' FROM seq_1_to_10;

CREATE TABLE dim_currency (
  code CHAR(3) NOT NULL PRIMARY KEY,
  name VARCHAR(32) NOT NULL
);
INSERT INTO dim_currency VALUES ('CNY', 'Yuan'), ('EUR', 'Euro'), ('USD', 'Dollar'), ('JPY', 'Yen'), ('GBP', 'Pound');

CREATE TABLE all_types (
  id INT NOT NULL PRIMARY KEY,
  c_tinyint TINYINT NULL,
  c_utinyint TINYINT UNSIGNED NULL,
  c_bool TINYINT(1) NULL,
  c_smallint SMALLINT NULL,
  c_usmallint SMALLINT UNSIGNED NULL,
  c_mediumint MEDIUMINT NULL,
  c_umediumint MEDIUMINT UNSIGNED NULL,
  c_int INT NULL,
  c_uint INT UNSIGNED NULL,
  c_bigint BIGINT NULL,
  c_ubigint BIGINT UNSIGNED NULL,
  c_dec38 DECIMAL(38,10) NULL,
  c_dec10 DECIMAL(10,0) NULL,
  c_float FLOAT NULL,
  c_double DOUBLE NULL,
  c_bit1 BIT(1) NULL,
  c_bit10 BIT(10) NULL,
  c_year YEAR NULL,
  c_date DATE NULL,
  c_datetime6 DATETIME(6) NULL,
  c_time3 TIME(3) NULL,
  c_char CHAR(10) NULL,
  c_varchar VARCHAR(100) NULL,
  c_tinytext TINYTEXT NULL,
  c_text TEXT NULL,
  c_mediumtext MEDIUMTEXT NULL,
  c_longtext LONGTEXT NULL,
  c_enum ENUM('red', 'green', 'blue') NULL,
  c_set SET('a', 'b', 'c') NULL,
  c_json JSON NULL,
  c_binary BINARY(4) NULL,
  c_varbinary VARBINARY(16) NULL,
  c_tinyblob TINYBLOB NULL,
  c_blob BLOB NULL,
  c_mediumblob MEDIUMBLOB NULL,
  c_longblob LONGBLOB NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
) COMMENT 'every column type';
INSERT INTO all_types
SELECT seq,
  IF(seq % 10 = 1, NULL, (seq % 256) - 128), IF(seq % 10 = 2, NULL, seq % 256), IF(seq % 10 = 3, NULL, seq % 2),
  IF(seq % 10 = 4, NULL, seq * 300 - 32768), IF(seq % 10 = 5, NULL, 65535 - seq),
  IF(seq % 10 = 6, NULL, -8388608 + seq), IF(seq % 10 = 7, NULL, 16777215 - seq),
  IF(seq % 10 = 8, NULL, -2147483648 + seq), IF(seq % 10 = 9, NULL, 4294967295 - seq),
  IF(seq % 10 = 0, NULL, -9223372036854775807 + seq), IF(seq % 10 = 1, NULL, 18446744073709551615 - seq),
  IF(seq % 10 = 2, NULL, CAST(CONCAT('-1234567890123456789012345678.', LPAD(seq, 10, '0')) AS DECIMAL(38,10))),
  IF(seq % 10 = 3, NULL, seq * 1000000),
  IF(seq % 10 = 4, NULL, seq / 4), IF(seq % 10 = 5, NULL, seq / 8 - 3.5),
  IF(seq % 10 = 6, NULL, seq % 2), IF(seq % 10 = 7, NULL, seq % 1024),
  IF(seq % 10 = 8, NULL, 1990 + seq % 100), IF(seq % 10 = 9, NULL, DATE('2000-01-01') + INTERVAL seq DAY),
  IF(seq % 10 = 0, NULL, TIMESTAMP('2026-01-01 01:02:03') + INTERVAL seq * 1000001 MICROSECOND),
  IF(seq % 10 = 1, NULL, IF(seq % 3 = 0, '-838:59:59.000', CONCAT(seq, ':30:15.125'))),
  IF(seq % 10 = 2, NULL, CONCAT('c', seq)), IF(seq % 10 = 3, NULL, CONCAT('varchar ', seq, ' 中文 😀')),
  IF(seq % 10 = 4, NULL, 'tiny'), IF(seq % 10 = 5, NULL, REPEAT('text ', seq % 7)),
  IF(seq % 10 = 6, NULL, 'medium'), IF(seq % 10 = 7, NULL, CONCAT('long ', seq)),
  IF(seq % 10 = 8, NULL, ELT(1 + seq % 3, 'red', 'green', 'blue')), IF(seq % 10 = 9, NULL, IF(seq % 2 = 0, 'a,c', 'b')),
  IF(seq % 10 = 0, NULL, CONCAT('{"n": ', seq, ', "s": "x"}')),
  IF(seq % 10 = 1, NULL, UNHEX(LPAD(HEX(seq), 8, '0'))), IF(seq % 10 = 2, NULL, UNHEX(CONCAT('00FF', HEX(seq)))),
  IF(seq % 10 = 3, NULL, UNHEX('DEADBEEF')), IF(seq % 10 = 4, NULL, UNHEX(REPEAT('AB', seq % 9))),
  IF(seq % 10 = 5, NULL, UNHEX('00')), IF(seq % 10 = 6, NULL, UNHEX('0102030405')),
  TIMESTAMP('2026-11-05 00:00:00') + INTERVAL seq HOUR
FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_100) q;

CREATE TABLE wide_decimal (
  id INT NOT NULL PRIMARY KEY,
  v DECIMAL(50,10) NULL
);
INSERT INTO wide_decimal VALUES (1, 1.5), (2, NULL), (3, -7);

CREATE TABLE geo_places (
  id INT NOT NULL PRIMARY KEY,
  p POINT NOT NULL
);
INSERT INTO geo_places VALUES (1, POINT(1, 2)), (2, POINT(3, 4)), (3, POINT(5, 6));

CREATE VIEW v_orders AS SELECT id, amount FROM orders;

CREATE TABLE payments (
  payment_id CHAR(36) NOT NULL PRIMARY KEY,
  order_id BIGINT NOT NULL,
  amount DECIMAL(10,2) NOT NULL,
  gmt_create DATETIME NOT NULL,
  gmt_modified DATETIME NOT NULL
);
INSERT INTO payments SELECT CONCAT('pay-', LPAD(seq, 8, '0'), '-', LEFT(MD5(seq), 23)), seq, seq * 3.5,
       TIMESTAMP('2026-11-04') + INTERVAL seq * 61 MINUTE, TIMESTAMP('2026-11-04') + INTERVAL seq * 61 MINUTE FROM seq_1_to_150;

CREATE TABLE audit_history (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  actor VARCHAR(32) NOT NULL,
  action VARCHAR(32) NOT NULL,
  created_time DATETIME NOT NULL
);
INSERT INTO audit_history (actor, action, created_time) SELECT CONCAT('admin', seq % 4), ELT(1 + seq % 2, 'login', 'grant'),
       TIMESTAMP('2026-11-10') + INTERVAL seq * 97 MINUTE FROM seq_1_to_120;

CREATE TABLE products (
  id INT NOT NULL PRIMARY KEY,
  sku VARCHAR(32) NOT NULL,
  name VARCHAR(64) NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  modified_time DATETIME NOT NULL,
  UNIQUE KEY uk_sku (sku)
);
INSERT INTO products SELECT seq, CONCAT('SKU-', seq), CONCAT('Product ', seq), seq + 0.5, TIMESTAMP('2026-11-06') + INTERVAL seq HOUR FROM seq_1_to_80;

CREATE TABLE product_tags (
  product_id INT NOT NULL,
  tag VARCHAR(20) NOT NULL,
  PRIMARY KEY (product_id, tag)
);
INSERT INTO product_tags SELECT 1 + (seq - 1) DIV 3, ELT(1 + (seq - 1) % 3, 'new', 'sale', 'hot') FROM seq_1_to_90;

CREATE TABLE settings (
  k VARCHAR(64) NOT NULL PRIMARY KEY,
  v TEXT NULL
);
INSERT INTO settings SELECT CONCAT('key', seq), IF(seq = 3, NULL, CONCAT('value ', seq)) FROM seq_1_to_8;

CREATE TABLE shipments (
  id BIGINT NOT NULL PRIMARY KEY,
  order_id BIGINT NOT NULL,
  carrier VARCHAR(16) NOT NULL,
  modified_time DATETIME NULL
);
INSERT INTO shipments SELECT seq, seq * 2, ELT(1 + seq % 3, 'SF', 'EMS', 'DHL'),
       IF(seq % 10 = 0, NULL, TIMESTAMP('2026-11-07') + INTERVAL seq * 71 MINUTE) FROM seq_1_to_100;

CREATE TABLE login_record (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_code VARCHAR(32) NOT NULL,
  create_date DATE NOT NULL
);
INSERT INTO login_record (user_code, create_date) SELECT CONCAT('u', seq % 40), DATE('2026-11-10') + INTERVAL seq % 11 DAY FROM seq_1_to_150;

CREATE TABLE unique_only (
  code INT NOT NULL,
  val VARCHAR(32) NULL,
  modified_time DATETIME NOT NULL,
  UNIQUE KEY uk_code (code)
);
INSERT INTO unique_only SELECT seq * 10, CONCAT('v', seq), TIMESTAMP('2026-11-08') + INTERVAL seq * 2 HOUR FROM seq_1_to_70;

CREATE TABLE daily_counts (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  day DATE NOT NULL,
  cnt INT NOT NULL,
  create_time DATETIME NOT NULL
);
INSERT INTO daily_counts (day, cnt, create_time) SELECT DATE('2026-10-01') + INTERVAL seq DAY, seq * 7,
       TIMESTAMP('2026-10-01 23:00:00') + INTERVAL seq DAY FROM seq_1_to_50;
