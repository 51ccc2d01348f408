import { expect } from 'chai';
import { GetNoteResponse, NotesServiceDefinition, NotesServiceService } from '../../gen/business/v1/notes_service.js';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { encodeMessage, grpcServiceDefinition, writerInternals, type MessageCodec } from '../../lib/grpc/service-definition.js';

const note = (body: string) => ({
  note: { id: '0193a9b0-0000-7000-8000-000000000000', title: 'T', body, createTime: new Date(1_700_000_000_123), updateTime: new Date(1_700_000_001_456), version: 3 },
});

describe('grpcServiceDefinition (one reused protobuf writer)', () => {
  it("has ts-proto's grpc-js paths and stream flags for every method", () => {
    const ours = grpcServiceDefinition(NotesServiceDefinition);
    expect(Object.keys(ours)).to.deep.equal(Object.keys(NotesServiceService));
    for (const [key, m] of Object.entries(NotesServiceService)) {
      const o = ours[key]!;
      expect([o.path, o.requestStream, o.responseStream, o.originalName]).to.deep.equal([m.path, m.requestStream, m.responseStream, NotesServiceDefinition.methods[key as keyof typeof NotesServiceDefinition.methods].name]);
    }
  });

  it("encodes byte for byte as ts-proto's own serializer, message after message (small, large, small)", () => {
    const ours = grpcServiceDefinition(NotesServiceDefinition).getNote!;
    for (const body of ['a', 'x'.repeat(70_000), 'é'.repeat(300), '']) {
      const bytes = ours.responseSerialize(note(body));
      expect(Buffer.compare(bytes, NotesServiceService.getNote.responseSerialize(note(body)))).to.equal(0);
      expect(GetNoteResponse.decode(bytes).note?.body).to.equal(body);
    }
  });

  it('returns independent buffers: a later message does not change an earlier one', () => {
    const first = encodeMessage(GetNoteResponse, note('first'));
    const copy = Buffer.from(first);
    encodeMessage(GetNoteResponse, note('second, longer than the first'));
    expect(Buffer.compare(first, copy)).to.equal(0);
  });

  it('recovers from an encoder that throws half way (the next message is intact)', () => {
    const failing: MessageCodec<unknown> = {
      encode: (_m, writer) => {
        writer!.uint32(10).fork().string('partial');
        throw new Error('boom');
      },
      decode: () => ({}),
    };
    expect(() => encodeMessage(failing, {})).to.throw('boom');
    const bytes = encodeMessage(GetNoteResponse, note('after'));
    expect(Buffer.compare(bytes, NotesServiceService.getNote.responseSerialize(note('after')))).to.equal(0);
  });

  it("reads @bufbuild/protobuf's writer fields (so results skip finish()'s ArrayBuffer), and they still mean what finish() uses", () => {
    const writer = new BinaryWriter();
    const fields = writerInternals(writer);
    expect(fields, 'BinaryWriter changed shape: encodeMessage falls back to finish()').to.not.equal(undefined);
    GetNoteResponse.encode(note('abc'), writer);
    const expected = Buffer.from(fields!.buffer.subarray(0, fields!.pos));
    expect(Buffer.compare(Buffer.from(writer.finish()), expected)).to.equal(0);
    expect([fields!.pos, fields!.stackPos.length]).to.deep.equal([0, 0]);
  });

  it('takes the bytes of a codec that encodes into a writer of its own, and the next message is intact', () => {
    const own: MessageCodec<unknown> = { encode: () => new BinaryWriter().uint32(8).uint32(150), decode: () => ({}) };
    expect([...encodeMessage(own, {})]).to.deep.equal([8, 150, 1]);
    const bytes = encodeMessage(GetNoteResponse, note('next'));
    expect(Buffer.compare(bytes, NotesServiceService.getNote.responseSerialize(note('next')))).to.equal(0);
  });
});
