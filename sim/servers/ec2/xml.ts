import type { SimResponse } from '../../http.js';
import type { Ec2Error } from './errors.js';

/** EC2's response namespace (API version 2016-11-15, still the current one). */
const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/**
 * A value to render as EC2 XML. Objects become child elements in key order, arrays become
 * EC2's `<item>` lists (`<tagSet><item>...</item></tagSet>`), undefined members are left out.
 */
export type XmlValue = string | number | boolean | undefined | XmlValue[] | XmlObject;
export interface XmlObject {
  [element: string]: XmlValue;
}

const XML_HEADERS = { 'content-type': 'text/xml;charset=UTF-8' };

function renderElement(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) {
    const items = value.map((v) => renderElement('item', v)).join('');
    return items ? `<${name}>${items}</${name}>` : `<${name}/>`;
  }
  if (typeof value === 'object') return `<${name}>${renderChildren(value)}</${name}>`;
  return `<${name}>${escapeText(String(value))}</${name}>`;
}

function renderChildren(obj: XmlObject): string {
  return Object.entries(obj)
    .map(([k, v]) => renderElement(k, v))
    .join('');
}

/** `<{Action}Response xmlns=...><requestId/>...body</{Action}Response>`, as every EC2 action answers. */
export function actionResponse(action: string, requestId: string, body: XmlObject): SimResponse {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_XMLNS}">${renderChildren({ requestId, ...body })}</${action}Response>`;
  return { status: 200, headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId }, body: xml };
}

/** EC2's error body: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`. */
export function errorResponse(error: Pick<Ec2Error, 'code' | 'message' | 'status'>, requestId: string): SimResponse {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Response>${renderElement('Errors', { Error: { Code: error.code, Message: error.message } })}${renderElement('RequestID', requestId)}</Response>`;
  return { status: error.status, headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId }, body: xml };
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
