import { expect } from 'chai';
import { addressGroup, clientAddress } from '../dist/internal.js';

describe('per-client keys group IPv6 by prefix (clientAddress, addressGroup)', () => {
  it('gives every address of one /64 the same key, and a neighbouring /64 another', () => {
    const keys = ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:DB8:1:2:abcd::9', '2001:0db8:0001:0002:0:0:0:0'].map((a) => clientAddress(`ipv6:[${a}]:40000`));
    expect(new Set(keys)).to.deep.equal(new Set(['2001:db8:1:2::/64']));
    expect(clientAddress('[2001:db8:1:3::1]:1')).to.equal('2001:db8:1:3::/64');
    expect(clientAddress('[2001:db8:1:1::1]:1')).not.to.equal(clientAddress('[2001:db8:1:2::1]:1'));
  });

  it('takes the prefix length as a parameter (128 = the full address, /48, odd lengths)', () => {
    expect(clientAddress('[2001:db8:1:2::1]:1', 128)).to.equal('2001:db8:1:2::1');
    expect(clientAddress('[2001:db8:1:2::1]:1', 48)).to.equal('2001:db8:1::/48');
    expect(addressGroup('2001:db8:1:2:3:4:5:6', 56)).to.equal('2001:db8:1::/56');
    expect(addressGroup('2001:db8:1:2ff:3:4:5:6', 56)).to.equal('2001:db8:1:200::/56');
    expect(addressGroup('2001:db8:ffff::', 33)).to.equal('2001:db8:8000::/33');
    expect(addressGroup('2001:db8::1', 0)).to.equal('::/0');
    expect(() => addressGroup('2001:db8::1', 129)).to.throw(RangeError);
    expect(() => addressGroup('2001:db8::1', 63.5)).to.throw(RangeError);
  });

  it('keeps IPv4 per address, and treats IPv4-mapped IPv6 (dotted or hex) as that IPv4 address', () => {
    expect(clientAddress('ipv4:192.0.2.1:5')).to.equal('192.0.2.1');
    expect(clientAddress('ipv4:192.0.2.2:5')).to.equal('192.0.2.2');
    expect(clientAddress('[::ffff:192.0.2.1]:5')).to.equal('192.0.2.1');
    expect(clientAddress('[::FFFF:c000:201]:5')).to.equal('192.0.2.1');
    expect(addressGroup('::ffff:10.1.2.3', 64)).to.equal('10.1.2.3');
    expect(addressGroup('10.1.2.3', 8)).to.equal('10.1.2.3');
  });

  it('reads embedded dotted quads, zone ids and every "::" position', () => {
    expect(addressGroup('64:ff9b::192.0.2.1', 128)).to.equal('64:ff9b::c000:201');
    expect(addressGroup('fe80::1%eth0', 64)).to.equal('fe80::/64');
    expect(addressGroup('::', 128)).to.equal('::');
    expect(addressGroup('1::', 128)).to.equal('1::');
    expect(addressGroup('1:0:0:2:0:0:0:3', 128)).to.equal('1:0:0:2::3');
    expect(addressGroup('1:2:3:4:5:6:7:8', 128)).to.equal('1:2:3:4:5:6:7:8');
    expect(addressGroup('1:0:2:3:4:5:6:7', 128)).to.equal('1:0:2:3:4:5:6:7');
  });

  it('leaves what is not an IP address unchanged', () => {
    for (const peer of ['unix:/tmp/s.sock', 'localhost:1', '[::1', '']) expect(clientAddress(peer)).to.equal(peer);
    expect(addressGroup('not-an-ip', 64)).to.equal('not-an-ip');
  });
});
