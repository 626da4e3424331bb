import { SqliteDeliveryLog } from '../../cloud/notifications/delivery-log.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { deliveryLogConformance } from './delivery-log.ts';

deliveryLogConformance('SQLite', () => new SqliteDeliveryLog(openSqlite(':memory:')));
