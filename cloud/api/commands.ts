import { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { type DeviceKind, kinds } from '../../shared/kinds/index.ts';
import type { AuditLog } from '../access/audit.ts';
import type { CommandService } from '../commands/service.ts';
import { type CommandStore, commandRecord } from '../commands/store.ts';
import { NotFoundError, UnprocessableError } from '../errors/domain-error.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import type { DeviceRecord } from '../registry/store.ts';
import { principalOf, requireRole } from './auth.ts';
import { parseWith } from './errors.ts';
import { answer, idPath, jsonBody, pageOf, refusals } from './openapi-parts.ts';
import { commandQuery, deviceCommandBody, groupCommandBody } from './schemas.ts';

export const commandPaths: ZodOpenApiPathsObject = {
  '/api/v1/devices/{id}/commands': {
    post: {
      summary: "Send a command to a device (operator, audited); it must be one of its kind's commands",
      requestParams: { path: idPath('device id') },
      requestBody: jsonBody(deviceCommandBody),
      responses: {
        ...answer('The command, as tracked (Location: /api/v1/commands/{id})', commandRecord, '202'),
        ...refusals(400, 403, 404),
      },
    },
  },
  '/api/v1/commands': {
    get: {
      summary: 'Commands and their tracking, newest first',
      requestParams: { query: commandQuery },
      responses: { ...answer('A page of commands', pageOf(commandRecord)), ...refusals(400) },
    },
    post: {
      summary: 'Send a command to every device of a kind in a district or on a gateway (operator, audited)',
      requestBody: jsonBody(groupCommandBody),
      responses: {
        ...answer('The commands created', z.object({ count: z.int(), items: z.array(commandRecord) }), '202'),
        ...refusals(400, 403, 422),
      },
    },
  },
  '/api/v1/commands/{id}': {
    get: {
      summary: 'One command and its tracked status',
      requestParams: { path: idPath('command id') },
      responses: { ...answer('The command', commandRecord), ...refusals(404) },
    },
  },
};

/** The command schema of the kind decides what is valid: a lamp dims, a camera reboots. */
function commandFor(kind: DeviceKind, command: unknown) {
  return parseWith(kinds[kind].commands, command, 'body.command');
}

export function commandRoutes(
  registry: DeviceRegistry,
  service: CommandService,
  store: CommandStore,
  audit: AuditLog,
): Router {
  const router = Router();

  router.post('/devices/:id/commands', requireRole('operator'), async (req, res) => {
    const device = registry.getDevice(String(req.params.id));
    if (!device) throw new NotFoundError(`device ${req.params.id} is not registered`);
    const body = parseWith(deviceCommandBody, req.body, 'body');
    const [record] = await service.create([device], commandFor(device.kind, body.command), body.ttlS * 1000);
    await audit.record({
      at: record?.createdAt ?? '',
      actor: principalOf(res).name,
      action: 'command.create',
      target: device.id,
      before: null,
      after: record,
    });
    res.status(202).location(`/api/v1/commands/${record?.id}`).json(record);
  });

  router.post('/commands', requireRole('operator'), async (req, res) => {
    const body = parseWith(groupCommandBody, req.body, 'body');
    const command = commandFor(body.target.kind, body.command);
    const devices: DeviceRecord[] = registry.findDevices({
      kind: body.target.kind,
      district: body.target.district,
      gatewayId: body.target.gateway,
    });
    if (devices.length === 0)
      throw new UnprocessableError('No devices', 'no registered device matches the target');
    const records = await service.create(devices, command, body.ttlS * 1000);
    await audit.record({
      at: records[0]?.createdAt ?? '',
      actor: principalOf(res).name,
      action: 'command.create-group',
      target: JSON.stringify(body.target),
      before: null,
      after: { command, ids: records.map((r) => r.id) },
    });
    res.status(202).json({ count: records.length, items: records });
  });

  router.get('/commands', async (req, res) => {
    const q = parseWith(commandQuery, req.query, 'query');
    const result = await store.list({
      status: q.status,
      deviceId: q.device,
      gatewayId: q.gateway,
      limit: q.limit,
      offset: q.offset,
    });
    res.json({ total: result.total, limit: q.limit, offset: q.offset, items: result.items });
  });

  router.get('/commands/:id', async (req, res) => {
    const record = await store.get(req.params.id);
    if (!record) throw new NotFoundError(`command ${req.params.id} does not exist`);
    res.json(record);
  });
  return router;
}
