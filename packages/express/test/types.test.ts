import { describe, expectTypeOf, it } from 'vitest';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { bulkhead } from '@breakwater/bulkhead';
import { deadline, loadShedding, requestSignal } from '@breakwater/express';

// Checked by `tsc` (the package typecheck); at run time these only build middlewares.
describe('types', () => {
  it('gives middlewares Express accepts, and a typed req.signal', () => {
    const app = express();
    app.use(deadline({ timeout: 1_000 }), loadShedding({ bulkhead: bulkhead({ capacity: 4 }) }));
    expectTypeOf(deadline(1_000)).toExtend<RequestHandler>();
    expectTypeOf(loadShedding({ bulkhead: { capacity: 4, queue: 8 }, onShed: (req) => expectTypeOf(req).toEqualTypeOf<Request>() })).toExtend<RequestHandler>();
    // @ts-expect-error only 504 and 503
    expect(() => deadline({ timeout: 1, status: 500 }));
    // @ts-expect-error bulkhead is required
    expect(() => loadShedding({}));
    app.get('/', (req: Request, _res: Response, _next: NextFunction) => {
      expectTypeOf(req.signal).toEqualTypeOf<AbortSignal>();
      expectTypeOf(requestSignal(req)).toEqualTypeOf<AbortSignal>();
    });
  });
});

function expect(_fn: () => unknown): void {}
