import { problemDetails, PROBLEM_CONTENT_TYPE } from '@breakwater/core';
import type { FastifyReply } from 'fastify';

/** A problem answer built once per plugin, so answering costs no JSON.stringify per request. */
export interface PreparedProblem {
  readonly status: number;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export function prepareProblem(status: number, detail: string, extraHeaders: Readonly<Record<string, string>> = {}): PreparedProblem {
  const problem = problemDetails(status, detail);
  return { status, body: Buffer.from(JSON.stringify(problem)), headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...extraHeaders } };
}

/**
 * Sends the prepared body as a Buffer: Fastify passes it through unserialized and, unlike a
 * string, without appending `; charset=utf-8` (JSON media types define no charset, and the
 * Express adapter sends the same header). onSend hooks still see it, as with any reply.
 */
export function sendProblem(reply: FastifyReply, problem: PreparedProblem): FastifyReply {
  return reply.code(problem.status).headers(problem.headers).send(problem.body);
}
