import { problemDetails, PROBLEM_CONTENT_TYPE } from '@breakwater/core';
import type { ServerResponse } from 'node:http';

/** A problem answer built once per middleware, so answering costs no JSON.stringify per request. */
export interface PreparedProblem {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export function prepareProblem(status: number, detail: string, extraHeaders: Readonly<Record<string, string>> = {}): PreparedProblem {
  const problem = problemDetails(status, detail);
  const body = JSON.stringify(problem);
  return {
    status,
    body,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': String(Buffer.byteLength(body)), ...extraHeaders },
  };
}

/**
 * Writes the problem through Node's own response methods: the same bytes whatever Express's
 * `res` helpers were replaced with, and headers set earlier (CORS, request ids) are kept.
 */
export function sendProblem(res: ServerResponse, problem: PreparedProblem): void {
  res.writeHead(problem.status, problem.headers).end(problem.body);
}
