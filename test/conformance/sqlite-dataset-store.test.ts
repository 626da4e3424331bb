import { SqliteDatasetStore } from '../../cloud/open-data/sqlite-store.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { datasetStoreConformance } from './dataset-store.ts';

datasetStoreConformance('SQLite', () => new SqliteDatasetStore(openSqlite(':memory:')));
