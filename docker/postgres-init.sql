-- One database per app, each owned by its own login role with rights on that database only
-- (run once by the postgres image on an empty data volume, as POSTGRES_USER). Passwords come from
-- the container's environment through psql's \getenv (psql 15+).
\getenv users_password USERS_DB_PASSWORD
\getenv catalog_password CATALOG_DB_PASSWORD
\getenv orders_password ORDERS_DB_PASSWORD
\getenv inventory_password INVENTORY_DB_PASSWORD

CREATE ROLE shop_users LOGIN PASSWORD :'users_password';
CREATE ROLE shop_catalog LOGIN PASSWORD :'catalog_password';
CREATE ROLE shop_orders LOGIN PASSWORD :'orders_password';
CREATE ROLE shop_inventory LOGIN PASSWORD :'inventory_password';

CREATE DATABASE shop_users OWNER shop_users;
CREATE DATABASE shop_catalog OWNER shop_catalog;
CREATE DATABASE shop_orders OWNER shop_orders;
CREATE DATABASE shop_inventory OWNER shop_inventory;

-- No database accepts connections from PUBLIC: each role reaches its own (as owner) and no other.
REVOKE ALL ON DATABASE shop_users, shop_catalog, shop_orders, shop_inventory FROM PUBLIC;
