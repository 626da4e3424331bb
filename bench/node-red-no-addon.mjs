// Preloaded into Node-RED by bench/node-red.ts (`node --import`): its editor API tries the native
// `@node-rs/bcrypt` addon (an optional dependency, for adminAuth hashes the bench does not use) and
// falls back to bcryptjs; this makes that require fail, so the peer runs without any native addon.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, next) {
    if (specifier === '@node-rs/bcrypt')
      throw Object.assign(new Error('native bcrypt disabled for the bench'), { code: 'MODULE_NOT_FOUND' });
    return next(specifier, context);
  },
});
