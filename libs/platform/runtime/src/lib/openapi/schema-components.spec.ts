import { z } from 'zod';
import { SchemaComponents } from './schema-components';

interface TreeNode {
  name: string;
  children: TreeNode[];
}
const TreeNode: z.ZodType<TreeNode> = z.object({
  name: z.string(),
  get children() {
    return z.array(TreeNode);
  },
});

describe('SchemaComponents', () => {
  it('embeds a self-contained schema as z.toJSONSchema writes it, minus the dialect', () => {
    const components = new SchemaComponents();
    const schema = z.object({ title: z.string().min(1), limit: z.number().default(5) });
    const { $schema: _dialect, ...expected } = z.toJSONSchema(schema, { io: 'input' });
    expect(components.convert(schema, 'input', 'Probe')).toEqual(expected);
    expect(components.schemas).toEqual({});
  });

  it('moves named schemas to components and points at them there', () => {
    const components = new SchemaComponents();
    const Author = z.object({ id: z.string() }).meta({ id: 'Author' });
    const Post = z.object({ author: Author, editor: Author.optional() });
    expect(components.convert(Post, 'output', 'Post')).toMatchObject({
      properties: {
        author: { $ref: '#/components/schemas/Author' },
        editor: { $ref: '#/components/schemas/Author' },
      },
    });
    expect(components.schemas['Author']).toMatchObject({ properties: { id: { type: 'string' } } });
    // The named schema itself, at the root, is a reference too.
    expect(components.convert(Author, 'output', 'Other')).toEqual({
      $ref: '#/components/schemas/Author',
    });
    expect(Object.keys(components.schemas)).toEqual(['Author']);
  });

  it('turns recursion into references to components, never to the document root', () => {
    const components = new SchemaComponents();
    expect(components.convert(TreeNode, 'input', 'TreeBody')).toEqual({
      $ref: '#/components/schemas/TreeBody',
    });
    expect(components.schemas['TreeBody']).toMatchObject({
      properties: { children: { items: { $ref: '#/components/schemas/TreeBody' } } },
    });

    const Forest = z.object({ trees: z.array(TreeNode), biggest: TreeNode });
    const forest = components.convert(Forest, 'input', 'ForestBody');
    expect(forest).toMatchObject({
      properties: {
        trees: { items: { $ref: '#/components/schemas/ForestBody_0' } },
        biggest: { $ref: '#/components/schemas/ForestBody_0' },
      },
    });
    expect(JSON.stringify([forest, components.schemas])).not.toMatch(/"#(\/\$defs\/[^"]*)?"/);
  });

  it('keeps both versions when one id names different input and output schemas', () => {
    const components = new SchemaComponents();
    const Page = z.object({ size: z.number().default(10) }).meta({ id: 'Page' });
    components.convert(z.object({ page: Page }), 'output', 'Response');
    const input = components.convert(z.object({ page: Page }), 'input', 'Body');
    expect(input).toMatchObject({
      properties: { page: { $ref: '#/components/schemas/PageInput' } },
    });
    expect(components.schemas['Page']?.['required']).toEqual(['size']);
    expect(components.schemas['PageInput']?.['required']).toBeUndefined();
    // Converting again reuses both rather than adding copies.
    components.convert(z.object({ next: Page }), 'input', 'Other');
    components.convert(z.object({ next: Page }), 'output', 'Other');
    expect(Object.keys(components.schemas).sort()).toEqual(['Page', 'PageInput']);
  });

  it('defines a named component that routes refer to', () => {
    const components = new SchemaComponents();
    const ref = components.define('Error', z.object({ code: z.string() }), 'output');
    expect(ref).toEqual({ $ref: '#/components/schemas/Error' });
    expect(components.schemas['Error']).toMatchObject({ required: ['code'] });
  });
});
